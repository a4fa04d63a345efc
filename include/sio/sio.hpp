// Umbrella header of the Socket.IO server API.
#pragma once

#include <sio/server/adapter.hpp>
#include <sio/server/broadcast_operator.hpp>
#include <sio/server/namespace.hpp>
#include <sio/server/recovery.hpp>
#include <sio/server/server.hpp>
#include <sio/server/session_aware_adapter.hpp>
#include <sio/server/socket.hpp>
#include <sio/server/types.hpp>
#include <sio/server/worker_pool.hpp>
