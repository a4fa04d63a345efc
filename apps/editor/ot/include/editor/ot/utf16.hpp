// UTF-16 lengths of UTF-8 text: the unit in which ot.js, JavaScript strings and the browser's
// editors count, so the one every length and index of an operation is measured in.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace editor::ot {

// The length of `utf8` in UTF-16 code units (a character beyond U+FFFF counts 2), or nothing when
// `utf8` is not valid UTF-8 (overlong forms, encoded surrogates and truncated sequences included).
std::optional<std::size_t> utf16_length(std::string_view utf8) noexcept;

}  // namespace editor::ot
