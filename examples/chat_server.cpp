// The README's example, compiled so it stays true: a small chat server on sio.
#include <sio/sio.hpp>

#include <boost/describe/class.hpp>

#include <string>

struct send_message {
  std::string roomId;
  std::string message;
};
BOOST_DESCRIBE_STRUCT(send_message, (), (roomId, message))

int main() {
  sio::server io{{.http = {.port = 3000}, .engine = {.cors = {.enabled = true, .origins = {"*"}}}}};
  io.use([](sio::socket& s, sio::next next) {
    if (s.handshake().auth.contains("token")) return next();
    next(sio::connect_error{"unauthorized"});
  });
  io.on_connection([&io](sio::socket& s) {
    s.on("joinRoom", [](sio::socket& s, const boost::json::array& args, sio::ack ack) {
      s.join(boost::json::value_to<std::string>(args.at(0).at("roomId")));
      ack({{"success", true}});
    });
    s.on("sendMessage", [&io](sio::socket& s, const send_message& m, sio::ack ack) {
      io.to(m.roomId).emit("receiveMessage",
                           boost::json::object{{"roomId", m.roomId}, {"message", m.message}});
      ack({{"success", true}});
    });
    s.on("typing", [](sio::socket& s, const boost::json::array& args) {
      s.to(boost::json::value_to<std::string>(args.at(0).at("roomId")))
          .volatile_()
          .emit("typing", args.at(0));
    });
  });
  io.run();
}
