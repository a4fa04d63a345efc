// The Socket.IO login of every app: a middleware that admits a socket when its handshake names a
// user of the shared accounts, and the identity it records on the socket.
//
// Thread-safety: the middleware runs on the socket's worker; it calls accounts_api, which may be
// called from any thread.
#pragma once

#include "accounts_api.hpp"

#include <sio/sio.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace apps {

// Who a socket is logged in as.
struct identity {
  std::int64_t user_id = 0;
  std::string username;
};

// The login middleware to install on an app's namespace (io.of("/editor").use(...)): the JWT
// of the handshake's auth.token, else the `token` cookie of a same-origin page (no cross-site
// WebSocket hijacking), must authenticate (accounts_api::authenticate_token); the socket's data
// then holds userId, username and tokenExpires (seconds since epoch). Any other socket is
// refused with connect_error "unauthorized". `auth` must outlive the middleware.
sio::server::middleware login_middleware(accounts_api& auth);

// The identity the login middleware recorded on the socket (nullopt on a socket it did not admit).
std::optional<identity> identity_of(const sio::socket& s);
// When the socket's token expires (seconds since epoch), as the login middleware recorded it.
std::optional<std::int64_t> token_expiry_of(const sio::socket& s);

}  // namespace apps
