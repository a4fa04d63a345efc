// Serves the built front end from one folder. A request path can never name a file outside it:
// the path is percent-decoded once, split on '/', and refused (400) if any segment is "..",
// contains a backslash or NUL, or the encoding is invalid; the resolved file must also stay under
// the canonical root after symlinks. Unknown paths get index.html (single-page app routing)
// except under /assets/, where a missing hashed bundle is a 404.
//
// Thread-safety: immutable after construction; serve() may run on any thread.
#pragma once

#include "reply.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace apps {

// Percent-decodes `s`; nullopt for a malformed escape or a decoded NUL.
std::optional<std::string> percent_decode(std::string_view s);

// The file path, relative to the web root, named by a request target ("/a/b.js?x=1"), or
// nullopt when the target is refused. "/" and "/dir/" give "" and "dir" (folder: index.html).
std::optional<std::filesystem::path> safe_relative_path(std::string_view target);

// Content-Type for a file name's extension (with charset for text types).
std::string_view mime_type(const std::filesystem::path& file);

class static_files {
 public:
  explicit static_files(std::filesystem::path root);

  // GET/HEAD of `target`. `head` leaves the body empty but keeps the headers.
  reply serve(std::string_view target, bool head = false) const;

  const std::filesystem::path& root() const noexcept { return root_; }
  bool has_index() const;

 private:
  std::optional<reply> read_file(const std::filesystem::path& p, bool head, bool immutable) const;
  std::filesystem::path root_;  // canonical when it exists
};

}  // namespace apps
