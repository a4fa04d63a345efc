// auction::rest: the auction's REST routes (POST /api/auctions, GET /api/auctions,
// GET /api/auctions/<id>; see apps/auction/API.md), independent of any HTTP library: the host
// authenticates the request (and refuses cross-site writes), then hands over the method, the
// target, the body and the user id, and gets an apps::reply (JSON) back.
//
// Thread-safety: handle() may be called from any thread concurrently.
#pragma once

#include "accounts_api.hpp"
#include "reply.hpp"

#include <auction/storage.hpp>

#include <cstddef>
#include <string_view>

namespace auction {

struct rest_options {
  // Auctions one user may create: a burst of `create_burst`, then `creates_per_minute`
  // (429 with Retry-After beyond).
  double create_burst = 10;
  double creates_per_minute = 10;
  std::size_t max_list = 100;  // GET /api/auctions lists at most this many
  std::int64_t min_duration_ms = default_min_duration_ms;  // endsAt at least now + this
  std::int64_t extension_ms = default_extension_ms;        // the anti-sniping window (extensionMs)
};

class rest {
 public:
  // `db` must outlive this object.
  explicit rest(storage& db, rest_options opts = {});

  // True for the targets handle() answers (/api/auctions and below).
  static bool handles(std::string_view target) noexcept;

  // One authenticated request of `user`: `target` in origin form (/api/auctions/3).
  apps::reply handle(std::string_view method, std::string_view target, std::string_view body,
                     id_type user);

 private:
  apps::reply create(std::string_view body, id_type user);
  apps::reply list();
  apps::reply one(std::string_view id);

  storage& db_;
  const rest_options opts_;
  apps::creation_quota quota_;
};

}  // namespace auction
