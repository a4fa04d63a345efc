// UTF-8 checks shared by the codecs and the WebSocket transport: strict validation (Socket.IO
// namespaces, WebSocket text frames and close reasons) and the lossy decoding Node.js applies to
// MessagePack strings. Pure; reentrant.
//
// Well-formed means RFC 3629: no overlong forms, no surrogates (U+D800..U+DFFF), nothing above
// U+10FFFF.
#pragma once

#include <string>
#include <string_view>

namespace sio::protocol {

// True when every byte of `s` belongs to a well-formed UTF-8 sequence.
bool valid_utf8(std::string_view s) noexcept;

// Appends `s` to `out` with each maximal ill-formed subpart replaced by one U+FFFD (WHATWG
// decoding: what Node's Buffer.toString("utf8") does).
void append_utf8_lossy(std::string_view s, std::string& out);

}  // namespace sio::protocol
