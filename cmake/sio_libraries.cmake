# Networked layers. Asio and Beast are compiled once, in sio_asio, to keep builds fast on 2 cores.
find_package(OpenSSL 3 REQUIRED)

add_library(sio_asio src/asio_impl.cpp)
target_compile_definitions(sio_asio PUBLIC
  BOOST_ASIO_SEPARATE_COMPILATION BOOST_BEAST_SEPARATE_COMPILATION BOOST_ASIO_NO_DEPRECATED)
target_link_libraries(sio_asio PUBLIC Boost::headers Threads::Threads OpenSSL::SSL OpenSSL::Crypto)

# sio_engineio: Engine.IO v4 server on Beast (one .cpp per header under src/engineio/)
file(GLOB SIO_ENGINEIO_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/engineio/*.cpp)
if(SIO_ENGINEIO_SOURCES)
  add_library(sio_engineio ${SIO_ENGINEIO_SOURCES})
  target_link_libraries(sio_engineio PUBLIC sio_protocol sio_asio Boost::url)
endif()

# sio_server: Socket.IO v5 server, namespaces, adapter interface, in-memory adapter
file(GLOB SIO_SERVER_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/server/*.cpp)
if(SIO_SERVER_SOURCES)
  add_library(sio_server ${SIO_SERVER_SOURCES})
  target_link_libraries(sio_server PUBLIC sio_engineio)
endif()

# --- sio_redis: Redis adapter + emitter (wire-compatible with @socket.io/redis-adapter) ---------
# hiredis is used only for its pure reply reader; the socket is ours, on Asio.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(SIO_HIREDIS IMPORTED_TARGET hiredis)
endif()
file(GLOB SIO_REDIS_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/redis/*.cpp)
if(SIO_HIREDIS_FOUND AND SIO_REDIS_SOURCES AND TARGET sio_server)
  add_library(sio_redis ${SIO_REDIS_SOURCES})
  target_link_libraries(sio_redis PUBLIC sio_server PkgConfig::SIO_HIREDIS)
else()
  message(STATUS "sio_redis not built (needs hiredis via pkg-config: libhiredis-dev)")
endif()
# --- end sio_redis ------------------------------------------------------------------------------
