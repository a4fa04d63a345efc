#include <auction/realtime.hpp>

#include "login.hpp"
#include "socket_handlers.hpp"
#include "validation.hpp"

#include <auction/events.hpp>
#include <auction/outbid.hpp>

#include <boost/json/object.hpp>

#include <exception>
#include <iostream>

namespace auction {
namespace json = boost::json;
using apps::failure;
using apps::first_arg;
using apps::guarded;
using apps::identity_of;

namespace {

json::value refusal(bid_error e, const std::optional<auction_row>& a) {
  json::object out{{"success", false}, {"error", message(e)}};
  if (a) out["currentPrice"] = a->current_price;
  return out;
}

}  // namespace

std::string realtime::room_key(id_type auction) {
  return "auction:" + std::to_string(auction);
}

realtime::realtime(sio::server& io, storage& db, apps::notifier& notify, realtime_options opts)
    : io_(io),
      db_(db),
      notify_(notify),
      extension_ms_(opts.extension_ms),
      limits_({opts.joins, opts.bids}),
      delivery_(
          db,
          [&io](const auction_event& e) {
            io.of(namespace_name).local().to(room_key(e.auction)).emit(e.name, e.data);
          },
          [&io](const auction_event& e) {
            io.of(namespace_name).server_side_emit(server_event, to_wire(e));
          },
          opts.delivery) {}

realtime::~realtime() {
  stop();
}

void realtime::stop() {
  stopped_ = true;
  delivery_.stop();
}

void realtime::install() {
  auto& nsp = io_.of(namespace_name);
  nsp.on_server_side_emit(std::string(server_event), [this](const json::array& args) {
    if (auto e = from_wire(first_arg(args))) delivery_.received(std::move(*e));
  });
  nsp.on_connection([this](sio::socket& s) { on_connection(s); });
  delivery_.start();
}

void realtime::on_connection(sio::socket& s) {
  auto me = identity_of(s);
  if (!me) {
    s.disconnect();
    return;
  }
  limits_.attach(me->user_id, apps::now_ms());
  auto bind = [this](auto fn) {
    return apps::member_handler(*this, fn, [this] { return stopped_.load(); });
  };
  s.on("joinAuction", bind(&realtime::join));
  s.on("leaveAuction", bind(&realtime::leave));
  s.on("placeBid", bind(&realtime::place_bid));
  s.on_disconnect(
      [this, user = me->user_id](sio::socket&, sio::disconnect_reason) { limits_.detach(user); });
}

bool realtime::admit(sio::socket& s, limit kind, sio::ack& ack) {
  auto me = identity_of(s);
  if (!me) {
    ack(failure("Unauthorized"));
    return false;
  }
  if (!limits_.take(me->user_id, kind, apps::now_ms())) {
    ack(failure(message(bid_error::too_many)));
    return false;
  }
  return true;
}

void realtime::join(sio::socket& s, const json::value& arg, sio::ack& ack) {
  guarded("auction", "joinAuction", ack, [&] {
    if (!admit(s, limit_join, ack)) return;
    auto id = apps::parse_id(apps::field(arg, "auctionId"));
    if (!id) return ack(failure(message(bid_error::not_found)));
    // In the room before the auction is read; the delivery holds the auction's events until the
    // read says which seq it saw, so that none falls between the two.
    const auto room = room_key(*id);
    s.join(room);
    delivery_.expect(*id);
    std::optional<auction_row> a;
    std::vector<bid_row> bids;
    try {
      a = db_.load_auction(*id);
      if (a) bids = db_.recent_bids(*id, recent_bid_count);
    } catch (const std::exception&) {
      delivery_.baseline(*id, std::nullopt);
      s.leave(room);
      throw;
    }
    delivery_.baseline(*id, a ? std::optional(a->seq) : std::nullopt);
    if (!a) {
      s.leave(room);
      return ack(failure(message(bid_error::not_found)));
    }
    ack(json::object{{"success", true}, {"auction", auction_with_bids(*a, bids, extension_ms_)}});
  });
}

void realtime::leave(sio::socket& s, const json::value& arg, sio::ack& ack) {
  guarded("auction", "leaveAuction", ack, [&] {
    if (!admit(s, limit_join, ack)) return;
    auto id = apps::parse_id(apps::field(arg, "auctionId"));
    if (!id) return ack(failure(message(bid_error::not_found)));
    s.leave(room_key(*id));
    ack(json::object{{"success", true}});
  });
}

void realtime::place_bid(sio::socket& s, const json::value& arg, sio::ack& ack) {
  guarded("auction", "placeBid", ack, [&] {
    if (!admit(s, limit_bid, ack)) return;
    auto amount = parse_amount(apps::field(arg, "amount"));
    if (!amount) return ack(failure(message(bid_error::invalid_amount)));
    auto id = apps::parse_id(apps::field(arg, "auctionId"));
    if (!id) return ack(failure(message(bid_error::not_found)));
    auto me = identity_of(s);
    auto out =
        db_.place_bid(*id, me->user_id, me->username, *amount, apps::now_ms(), extension_ms_);
    if (out.error != bid_error::none) return ack(refusal(out.error, out.auction));
    ack(json::object{{"success", true}, {"bid", bid_json(*out.bid)}});
    delivery_.accepted(bid_placed(*out.bid));
    notify_outbid(*out.bid);
  });
}

void realtime::notify_outbid(const bid_row& accepted) {
  try {
    if (auto n = outbid_notice(db_, accepted)) notify_.push(std::move(*n));
  } catch (const std::exception& e) {
    // The bid stands and its ack is sent: only the notice is lost.
    std::cerr << "auction: outbid notice: " << e.what() << '\n';
  }
}

}  // namespace auction
