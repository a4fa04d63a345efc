// The two fixtures of sio-client-fixture: the servers that the official socket.io-client and
// engine.io-client test suites run against (their test/support/ servers), rebuilt on sio.
#pragma once

#include <sio/sio.hpp>

#include <memory>

namespace client_fixture {

// socket.io-client's fixture (Socket.IO at /socket.io/), attached to `engine`, with `parser`
// (null: the default JSON parser). The server must live as long as the engine runs.
std::unique_ptr<sio::server> mount_socket_io_client(sio::engineio::server& engine,
                                                    std::shared_ptr<const sio::parser> parser);

// engine.io-client's fixture (Engine.IO at /engine.io/), attached to `engine`.
void mount_engine_io_client(sio::engineio::server& engine);

}  // namespace client_fixture
