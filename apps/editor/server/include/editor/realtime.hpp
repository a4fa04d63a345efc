// editor::realtime: the editor's Socket.IO side on namespace "/editor": openDoc, closeDoc, op,
// cursor, and the presence events userJoined / userLeft (see apps/editor/API.md).
//
// The host installs the login middleware on the namespace first: every socket carries data
// {"userId": int, "username": string}; a user's colour is derived from the id (color_of, the same
// on every node). Broadcasts go to the Socket.IO room "doc:<id>" through the namespace's adapter,
// so clustered they reach every node; the users of a document are found with fetch_sockets on that
// room (socket data only: nothing secret crosses the cluster).
//
// Threading: handlers run on their socket's worker. The documents (editor::documents) serialize
// each document's operations; this object's own state is a table of the documents each socket
// has open (one mutex) and the rate limits (apps::user_limits: one set of buckets per user while
// the user has a socket on this node).
#pragma once

#include "rate_limit.hpp"

#include <editor/documents.hpp>

#include <sio/sio.hpp>

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace editor {

struct realtime_options {
  std::size_t max_open_per_socket = 20;  // documents one socket may have open at once
  apps::rate opens{40, 10};              // openDoc and closeDoc per user: a burst, then per second
  apps::rate ops{200, 100};              // op per user
  apps::rate cursors{50, 25};            // cursor per user (refused cursors are dropped)
};

class realtime {
 public:
  // `io` and `docs` must outlive this object.
  realtime(sio::server& io, documents& docs, realtime_options opts = {});
  ~realtime();

  // Registers the connection handler on namespace "/editor" (after the host's middleware).
  void install();
  // Stops answering: later events are refused. Idempotent.
  void stop();

  static constexpr std::string_view namespace_name = "/editor";
  static std::string room_key(id_type doc);  // "doc:<id>"
  // The CSS colour of a user: hsl(<hue>, 65%, 45%), the hue spread by the id.
  static std::string color_of(id_type user);

 private:
  struct opened {
    std::string client_id;
  };
  // Kinds of rate-limited events, indexes into limits_.
  enum limit : std::size_t { limit_open, limit_op, limit_cursor };
  // Who sent an event and the document it names.
  struct event_source {
    id_type user_id = 0;
    std::string username;
    id_type doc = 0;
  };
  void on_connection(sio::socket& s);
  // The sender of an event of kind `kind` and its document, or nullopt once the ack has the
  // refusal (no login, over the rate, no docId).
  std::optional<event_source> admit(sio::socket& s, const boost::json::value& arg, limit kind,
                                    sio::ack& ack);
  void open_doc(sio::socket& s, const boost::json::value& arg, sio::ack& ack);
  void close_doc(sio::socket& s, const boost::json::value& arg, sio::ack& ack);
  void op(sio::socket& s, const boost::json::value& arg, sio::ack& ack);
  void cursor(sio::socket& s, const boost::json::value& arg, sio::ack& ack);
  void disconnected(sio::socket& s, id_type user);

  // Acknowledges an open with the users of the document on every node, and tells the others
  // when this user was not there yet.
  struct identity_ref {
    id_type user_id;
    std::string_view username;
  };
  void answer_open(sio::socket& s, id_type doc, const identity_ref& me, boost::json::object reply,
                   sio::ack ack);
  // This socket is done with `doc`: the document is closed once for it, and the others hear
  // userLeft when the user has no other socket in it on any node.
  void leave(sio::socket& s, id_type doc, id_type user);
  std::optional<opened> open_by(const std::string& sid, id_type doc) const;

  sio::server& io_;
  documents& docs_;
  const realtime_options opts_;
  apps::user_limits limits_;
  mutable std::mutex mu_;
  bool stopped_ = false;
  std::map<std::string, std::map<id_type, opened>, std::less<>> by_socket_;
};

}  // namespace editor
