// editor::rest: the editor's REST routes (POST /api/docs, GET /api/docs; see apps/editor/API.md),
// independent of any HTTP library: the host authenticates the request (and refuses cross-site
// writes), then hands over the method, the target, the body and the user id.
//
// Thread-safety: handle() may be called from any thread concurrently.
#pragma once

#include <editor/rate_limit.hpp>
#include <editor/storage.hpp>

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace editor {

struct rest_options {
  // Documents one user may create: a burst of `create_burst`, then `creates_per_minute`
  // (429 with Retry-After beyond).
  double create_burst = 10;
  double creates_per_minute = 10;
  std::size_t max_title_length = 100;  // UTF-16 units, after trimming
  std::size_t max_list = 100;          // GET /api/docs: the default and the largest ?limit=
};

struct rest_response {
  unsigned status = 200;
  boost::json::value body;                                   // sent as application/json
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Retry-After)
};

class rest {
 public:
  // `db` must outlive this object.
  explicit rest(storage& db, rest_options opts = {});

  // True for the targets handle() answers (/api/docs and below).
  static bool handles(std::string_view target) noexcept;

  // One authenticated request of `user`: `target` in origin form (/api/docs?limit=5).
  rest_response handle(std::string_view method, std::string_view target, std::string_view body,
                       id_type user);

 private:
  rest_response create(std::string_view body, id_type user);
  rest_response list(std::string_view target);

  storage& db_;
  const rest_options opts_;
  user_rate quota_;
};

// ISO 8601 UTC with milliseconds: 2026-11-26T05:40:00.123Z.
std::string iso8601(std::int64_t ms_since_epoch);

}  // namespace editor
