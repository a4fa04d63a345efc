// Completion tokens for the server's operations: see sio/common/completion.hpp.
#pragma once

#include <sio/common/completion.hpp>
