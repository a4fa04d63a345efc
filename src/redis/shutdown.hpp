// Internal: runs cleanup when an io_context is destroyed. The Redis connections and the adapter's
// timers live on a server's io_context but their owners (namespaces, factories) may outlive it;
// their I/O objects must be released while the io_context's services still exist.
#pragma once

#include <boost/asio/io_context.hpp>

#include <functional>

namespace sio::redis::detail {

// `f` runs once, from the io_context's destructor (no handler runs concurrently then).
void at_shutdown(boost::asio::io_context& ioc, std::function<void()> f);

}  // namespace sio::redis::detail
