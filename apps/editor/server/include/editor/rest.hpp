// editor::rest: the editor's REST routes (POST /api/docs, GET /api/docs; see apps/editor/API.md),
// independent of any HTTP library: the host authenticates the request (and refuses cross-site
// writes), then hands over the method, the target, the body and the user id, and gets an
// apps::reply (JSON) back.
//
// Thread-safety: handle() may be called from any thread concurrently.
#pragma once

#include "accounts_api.hpp"
#include "reply.hpp"

#include <editor/storage.hpp>

#include <cstddef>
#include <string_view>

namespace editor {

struct rest_options {
  // Documents one user may create: a burst of `create_burst`, then `creates_per_minute`
  // (429 with Retry-After beyond).
  double create_burst = 10;
  double creates_per_minute = 10;
  std::size_t max_title_length = 100;  // UTF-16 units, after trimming
  std::size_t max_list = 100;          // GET /api/docs: the default and the largest ?limit=
};

class rest {
 public:
  // `db` must outlive this object.
  explicit rest(storage& db, rest_options opts = {});

  // True for the targets handle() answers (/api/docs and below).
  static bool handles(std::string_view target) noexcept;

  // One authenticated request of `user`: `target` in origin form (/api/docs?limit=5).
  apps::reply handle(std::string_view method, std::string_view target, std::string_view body,
                     id_type user);

 private:
  apps::reply create(std::string_view body, id_type user);
  apps::reply list(std::string_view target);

  storage& db_;
  const rest_options opts_;
  apps::creation_quota quota_;
};

}  // namespace editor
