// sio-tictactoe-bot: plays tic-tac-toe on the demo server (apps/tictactoe/API.md) until the game
// ends.
//
//   sio-tictactoe-bot --url http://127.0.0.1:3000 --user bot1 --password secret-pass
//                     [--game new | --game <gameId>] [--register] [--ca-file ca.pem]
//
// Signs in over the REST API, connects to namespace /tictactoe with the token as auth.token,
// then creates a game (--game new: prints "game <id>" and waits for an opponent), joins one
// (--game <id>) or asks for a quick match (no --game). On every state where it is its turn it
// plays a legal move: a winning cell, else one that blocks the opponent's line, else the centre,
// a corner, a side. It prints the board after each move and ends with "result: won|lost|draw|
// abandoned" (exit status 0); a refused event or a lost connection ends it with status 1.
#include "acks.hpp"
#include "command_line.hpp"
#include "rest_client.hpp"

#include <sio/client/manager.hpp>
#include <sio/client/socket.hpp>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_to.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <future>
#include <iostream>
#include <optional>
#include <string>

namespace json = boost::json;
using examples::error_of;
using examples::succeeded;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view usage =
    "usage: sio-tictactoe-bot --user NAME --password PASSWORD [--url http://127.0.0.1:3000]\n"
    "                         [--game new|ID] [--register] [--ca-file CA.pem]\n"
    "  --game new   create a game and wait for an opponent\n"
    "  --game ID    join game ID\n"
    "  (none)       quick match: play the next user who asks for one\n";
constexpr auto ack_timeout = 10s;

constexpr std::array<std::array<int, 3>, 8> lines = {{
    {0, 1, 2},
    {3, 4, 5},
    {6, 7, 8},
    {0, 3, 6},
    {1, 4, 7},
    {2, 5, 8},
    {0, 4, 8},
    {2, 4, 6},
}};

using board = std::array<char, 9>;  // 'X', 'O' or ' '

board read_board(const json::value& state) {
  board b;
  const auto& cells = state.at("board").as_array();
  for (std::size_t i = 0; i < b.size(); ++i)
    b[i] = cells.at(i).is_string() ? cells.at(i).as_string().front() : ' ';
  return b;
}

// The cell completing a line of `who`, if any.
std::optional<int> completing(const board& b, char who) {
  for (const auto& line : lines) {
    int mine = 0, empty = -1;
    for (int c : line) {
      if (b[c] == who) ++mine;
      if (b[c] == ' ') empty = c;
    }
    if (mine == 2 && empty >= 0) return empty;
  }
  return std::nullopt;
}

// A legal move for `me` on a board with at least one empty cell.
int choose(const board& b, char me) {
  if (auto c = completing(b, me)) return *c;
  if (auto c = completing(b, me == 'X' ? 'O' : 'X')) return *c;
  for (int c : {4, 0, 2, 6, 8, 1, 3, 5, 7})
    if (b[c] == ' ') return c;
  return -1;
}

std::string draw(const board& b) {
  std::string s;
  for (int row = 0; row < 3; ++row) {
    s += "  ";
    for (int col = 0; col < 3; ++col) {
      const char c = b[row * 3 + col];
      s += c == ' ' ? '.' : c;
      if (col < 2) s += ' ';
    }
    s += '\n';
  }
  return s;
}

// One game, on the client's strand: the states in, the moves out, the exit status at the end.
class bot {
 public:
  explicit bot(std::shared_ptr<sio::client::socket> s, std::string game)
      : socket_(std::move(s)), game_(std::move(game)) {}

  std::future<int> start() {
    socket_->on("state", [this](json::value state) { on_state(state); });
    socket_->on_connect([this] { on_connect(); });
    socket_->on_connect_error([this](const sio::connect_error& e) {
      if (e.message == "unauthorized" || !socket_->active()) finish(1, "refused: " + e.message);
    });
    socket_->on_disconnect([this](sio::client::disconnect_reason r) {
      if (!sio::client::reconnects_after(r) &&
          r != sio::client::disconnect_reason::io_client_disconnect)
        finish(1, "disconnected by the server");
    });
    socket_->connect();
    return done_.get_future();
  }

 private:
  void on_connect() {
    if (game_id_) {  // a reconnection: back into the game's room (a no-op once recovered)
      if (!socket_->recovered()) request("joinGame", json::object{{"gameId", *game_id_}});
      return;
    }
    if (game_ == "new")
      request("createGame", json::object{});
    else if (game_.empty())
      request("quickMatch", json::object{});
    else
      request("joinGame", json::object{{"gameId", game_}});
  }

  // Emits `event` and handles its answer: the game, the role and a state.
  void request(std::string event, json::object args) {
    socket_->emit_with_ack(event, sio::make_payload(std::move(args)),
                           event == "quickMatch" ? 24h : ack_timeout,
                           [this, event](boost::system::error_code ec, sio::payload answer) {
                             if (ec) return finish(1, event + ": " + ec.message());
                             if (!succeeded(answer))
                               return finish(1, event + ": " + error_of(answer));
                             on_entered(event, answer.args[0].as_object());
                           });
  }

  void on_entered(const std::string& event, const json::object& answer) {
    const auto& state = answer.at("state");
    if (!game_id_) {
      game_id_ = state.at("gameId").to_number<std::int64_t>();
      if (const auto* role = answer.if_contains("role"))
        me_ = role->as_string().front();
      else
        me_ = 'X';  // createGame: the creator is X
      if (me_ != 'X' && me_ != 'O')
        return finish(1, "game " + std::to_string(*game_id_) + " is full");
      std::cout << "game " << *game_id_ << " (" << event << "), playing " << me_ << std::endl;
    }
    on_state(state);
  }

  void on_state(const json::value& state) {
    if (!game_id_ || state.at("gameId").to_number<std::int64_t>() != *game_id_) return;
    const auto version = state.at("version").to_number<std::int64_t>();
    if (version <= version_) return;  // states may arrive out of order
    version_ = version;
    const auto b = read_board(state);
    const auto status = json::value_to<std::string>(state.at("status"));
    if (status == "won") {
      std::cout << draw(b);
      const char winner = state.at("winner").as_string().front();
      return finish(0, winner == me_ ? "won" : "lost");
    }
    if (status == "draw" || status == "abandoned") {
      std::cout << draw(b);
      return finish(0, status);
    }
    if (status != "playing" || state.at("turn").as_string().front() != me_) return;
    if (moved_at_ == version) return;
    moved_at_ = version;
    const int cell = choose(b, me_);
    auto next = b;
    next[cell] = me_;
    std::cout << me_ << " plays " << cell << "\n" << draw(next) << std::flush;
    socket_->emit_with_ack("move",
                           sio::make_payload(json::object{{"gameId", *game_id_}, {"cell", cell}}),
                           ack_timeout, [this](boost::system::error_code ec, sio::payload answer) {
                             if (ec) return finish(1, "move: " + ec.message());
                             if (!succeeded(answer)) finish(1, "move refused: " + error_of(answer));
                           });
  }

  void finish(int status, const std::string& what) {
    if (finished_) return;
    finished_ = true;
    if (status == 0)
      std::cout << "result: " << what << std::endl;
    else
      std::cerr << "sio-tictactoe-bot: " << what << std::endl;
    done_.set_value(status);
  }

  std::shared_ptr<sio::client::socket> socket_;
  std::string game_;  // "new", a game id, or empty (quick match)
  std::optional<std::int64_t> game_id_;
  char me_ = ' ';
  std::int64_t version_ = -1;
  std::int64_t moved_at_ = -1;
  bool finished_ = false;
  std::promise<int> done_;
};

int run(const examples::command_line& cmd) {
  const auto url = cmd.get_or("--url", "http://127.0.0.1:3000");
  const auto ca_file = cmd.get_or("--ca-file", "");
  examples::rest_client api(url, ca_file);
  const auto me = examples::sign_in(api, cmd.required("--user"), cmd.required("--password"),
                                    cmd.flag("--register"));

  sio::client::manager_options options;
  options.tls.ca_file = ca_file;
  options.auto_connect = false;  // handlers first, then connect()
  options.log = [](std::string_view line) { std::cerr << "sio-tictactoe-bot: " << line << "\n"; };
  // Declared before the manager, so destroyed after it (the manager releases its handlers).
  std::optional<bot> player;
  sio::client::manager io(url, std::move(options));
  player.emplace(io.socket("/tictactoe", {.auth = {{"token", me.token}}}),
                 cmd.get_or("--game", ""));
  const int status = player->start().get();
  io.close();
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const examples::command_line cmd(
        argc, argv, {"--url", "--user", "--password", "--game", "--ca-file"}, {"--register"});
    if (cmd.help()) {
      std::cout << usage;
      return 0;
    }
    return run(cmd);
  } catch (const examples::usage_error& e) {
    std::cerr << "sio-tictactoe-bot: " << e.what() << "\n" << usage;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "sio-tictactoe-bot: " << e.what() << "\n";
    return 1;
  }
}
