// auction::realtime: the auction's Socket.IO side on namespace "/auction": joinAuction,
// leaveAuction, placeBid (see apps/auction/API.md), and the events bidPlaced / auctionClosed to
// the room "auction:<id>", delivered in seq order by auction::delivery (one thread per node; the
// other nodes' events arrive as the server-side event "auction:event" through the adapter).
//
// A bid that outbids another user tells them with a notice (auction/outbid.hpp), pushed once by
// the node that accepted the bid.
//
// The host installs the login middleware on the namespace first: every socket carries data
// {"userId": int, "username": string}.
//
// Threading: handlers run on their socket's worker and call storage there; the rate limits
// (apps::user_limits: one set of buckets per user while the user has a socket on this node) and
// the delivery thread are shared by every worker.
#pragma once

#include "notifier.hpp"
#include "rate_limit.hpp"

#include <auction/delivery.hpp>
#include <auction/storage.hpp>

#include <sio/sio.hpp>

#include <atomic>
#include <string>
#include <string_view>

namespace auction {

struct realtime_options {
  apps::rate joins{40, 10};  // joinAuction and leaveAuction per user: a burst, then per second
  apps::rate bids{20, 10};   // placeBid per user
  // A bid with less time left moves endsAt to its time + this (anti-sniping).
  std::int64_t extension_ms = default_extension_ms;
  delivery_options delivery;
};

class realtime {
 public:
  // `io`, `db` and `notify` must outlive this object.
  realtime(sio::server& io, storage& db, apps::notifier& notify, realtime_options opts = {});
  ~realtime();

  // Registers the handlers on namespace "/auction" (after the host's middleware) and starts the
  // delivery thread.
  void install();
  // Stops answering (later events are refused) and joins the delivery thread. Idempotent.
  void stop();
  static constexpr std::string_view namespace_name = "/auction";
  // The server-side event carrying an accepted event to the other nodes.
  static constexpr std::string_view server_event = "auction:event";
  static std::string room_key(id_type auction);  // "auction:<id>"

 private:
  enum limit : std::size_t { limit_join, limit_bid };
  void on_connection(sio::socket& s);
  void join(sio::socket& s, const boost::json::value& arg, sio::ack& ack);
  void leave(sio::socket& s, const boost::json::value& arg, sio::ack& ack);
  void place_bid(sio::socket& s, const boost::json::value& arg, sio::ack& ack);
  // The rate limit of `kind` for the socket's user: false once the ack has the refusal.
  bool admit(sio::socket& s, limit kind, sio::ack& ack);
  // Tells the bidder `accepted` outbid, if any (outbid_notice).
  void notify_outbid(const bid_row& accepted);

  sio::server& io_;
  storage& db_;
  apps::notifier& notify_;
  const std::int64_t extension_ms_;
  apps::user_limits limits_;
  delivery delivery_;
  std::atomic<bool> stopped_{false};
};

}  // namespace auction
