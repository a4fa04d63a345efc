# The sio libraries, one per layer. Each target sio_<part> has the alias sio::<part>, the name it
# also has when installed (find_package(sio)), so an embedding project sees the same names either
# way. Asio and Beast are used header-only: no Asio/Beast configuration macro reaches a consumer,
# whose own Asio code links beside sio's with nothing to define.

set(SIO_LIBRARY_TARGETS "")  # every library target, in dependency order (for install/export)

# sio_add_library(<part> <sources>...): the library sio_<part>, alias sio::<part>.
function(sio_add_library part)
  set(target sio_${part})
  add_library(${target} ${ARGN})
  add_library(sio::${part} ALIAS ${target})
  set_target_properties(${target} PROPERTIES
    EXPORT_NAME ${part}
    VERSION ${PROJECT_VERSION}
    SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}
    INSTALL_RPATH $ORIGIN  # shared libraries find each other wherever they are installed
    # ISO C++20 (-std=c++20) in every build, sio's own or an embedding one: the same compile
    # commands either way. A user's targets keep their own choice (extensions do not propagate).
    CXX_EXTENSIONS OFF)
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  set(SIO_LIBRARY_TARGETS ${SIO_LIBRARY_TARGETS} ${target} PARENT_SCOPE)
endfunction()

include(GNUInstallDirs)  # CMAKE_INSTALL_INCLUDEDIR for the include directories above

# --- sio_protocol: pure codecs (Boost.JSON only; no Asio, no I/O) -----------------------------
# It also holds the values the server and the client share (src/common: payloads, binary
# arguments, acks; include/sio/common). The MessagePack codec is the Redis adapter's wire format: it has a library of its own so that
# only sio_redis users need msgpuck.
file(GLOB SIO_PROTOCOL_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/protocol/*.cpp)
list(REMOVE_ITEM SIO_PROTOCOL_SOURCES ${PROJECT_SOURCE_DIR}/src/protocol/msgpack.cpp
  ${PROJECT_SOURCE_DIR}/src/protocol/msgpack_parser.cpp)
file(GLOB SIO_COMMON_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/common/*.cpp)
list(APPEND SIO_PROTOCOL_SOURCES ${SIO_COMMON_SOURCES})
sio_add_library(protocol ${SIO_PROTOCOL_SOURCES})
# zlib: the WebSocket permessage-deflate codec (include/sio/protocol/permessage_deflate.hpp).
find_package(ZLIB REQUIRED)
target_link_libraries(sio_protocol PUBLIC Boost::json Boost::headers PRIVATE ZLIB::ZLIB)

# --- sio_msgpack: MessagePack <-> Boost.JSON (include/sio/protocol/msgpack.hpp), on msgpuck -----
# Also the Socket.IO MessagePack packet codec (msgpack_parser.hpp), wire-compatible with
# socket.io-msgpack-parser; the server's parser on it is header-only (sio/server/msgpack_parser.hpp).
# Debian's libmsgpuck-dev ships a static library and one header; cmake/Findmsgpuck.cmake finds them.
# That library is not position-independent, so it cannot go into a shared library: sio_msgpack
# and sio_redis are static libraries even with BUILD_SHARED_LIBS.
list(APPEND CMAKE_MODULE_PATH ${CMAKE_CURRENT_LIST_DIR})
find_package(msgpuck)
if(msgpuck_FOUND)
  sio_add_library(msgpack STATIC ${PROJECT_SOURCE_DIR}/src/protocol/msgpack.cpp
    ${PROJECT_SOURCE_DIR}/src/protocol/msgpack_parser.cpp)
  target_link_libraries(sio_msgpack PUBLIC sio_protocol PRIVATE msgpuck::msgpuck)
else()
  message(STATUS "sio_msgpack and sio_redis not built (needs msgpuck: libmsgpuck-dev)")
endif()

# --- sio_engineio: Engine.IO v4 server on Beast (one .cpp per header under src/engineio/) ------
# OpenSSL: TLS (libssl), the CSPRNG for session ids and SHA-1 for the WebSocket handshake. zlib:
# gzip and deflate for long-polling responses (endpoint_options::http_compression).
find_package(OpenSSL 3 REQUIRED COMPONENTS SSL Crypto)
find_package(ZLIB REQUIRED)
file(GLOB SIO_ENGINEIO_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/engineio/*.cpp)
if(SIO_FUZZ)
  # The fuzz build's engine is its HTTP request parser, routing and Accept-Encoding negotiation only
  # (fuzz_http_head), which need nothing else of the engine: the connections, sessions and
  # transports are not compiled there.
  set(SIO_ENGINEIO_SOURCES ${PROJECT_SOURCE_DIR}/src/engineio/request_route.cpp
      ${PROJECT_SOURCE_DIR}/src/engineio/request_head.cpp
      ${PROJECT_SOURCE_DIR}/src/engineio/http_compression.cpp)
endif()
sio_add_library(engineio ${SIO_ENGINEIO_SOURCES})
target_link_libraries(sio_engineio
  PUBLIC sio_protocol Boost::headers Threads::Threads
  PRIVATE Boost::url OpenSSL::SSL OpenSSL::Crypto ZLIB::ZLIB)

# The fuzz build stops here: the codecs, and the engine's HTTP request routing.
if(SIO_FUZZ)
  return()
endif()

# --- sio_server: Socket.IO v5 server, namespaces, adapter interface, in-memory adapter ----------
file(GLOB SIO_SERVER_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/server/*.cpp)
sio_add_library(server ${SIO_SERVER_SOURCES})
target_link_libraries(sio_server PUBLIC sio_engineio)

# --- sio_client: Socket.IO v5 / Engine.IO v4 client (polling, WebSocket, TLS, proxies) ---------
# Beast's HTTP and WebSocket clients over Asio (TLS: OpenSSL); the values it shares with the server
# (payloads, acks) come from sio_protocol, so a client program does not link the server.
file(GLOB SIO_CLIENT_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/client/*.cpp)
sio_add_library(client ${SIO_CLIENT_SOURCES})
target_link_libraries(sio_client
  PUBLIC sio_protocol Boost::headers Threads::Threads
  PRIVATE Boost::url OpenSSL::SSL OpenSSL::Crypto)

# --- sio_redis: Redis adapter + emitter (wire-compatible with @socket.io/redis-adapter) ---------
# hiredis is used only for its pure reply reader; the socket is ours, on Asio.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(SIO_HIREDIS QUIET IMPORTED_TARGET hiredis)
endif()
if(SIO_HIREDIS_FOUND AND TARGET sio_msgpack)
  file(GLOB SIO_REDIS_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/redis/*.cpp)
  sio_add_library(redis STATIC ${SIO_REDIS_SOURCES})
  # OpenSSL's CSPRNG: the cluster adapter's node and request ids.
  target_link_libraries(sio_redis PUBLIC sio_server PRIVATE sio_msgpack PkgConfig::SIO_HIREDIS
    OpenSSL::Crypto)
else()
  message(STATUS "sio_redis not built (needs hiredis via pkg-config: libhiredis-dev, and msgpuck)")
endif()
# --- end sio_redis ------------------------------------------------------------------------------

# --- sio_admin_ui: the server side of the official Socket.IO Admin UI -------------------------
# Its bcrypt check is libxcrypt's crypt_r (Debian: libcrypt-dev), linked by name as glibc's libc
# did; the library is built when crypt.h is found.
include(CheckIncludeFileCXX)
check_include_file_cxx(crypt.h SIO_HAVE_CRYPT_H)
find_library(SIO_CRYPT_LIBRARY crypt)
if(SIO_HAVE_CRYPT_H AND SIO_CRYPT_LIBRARY)
  file(GLOB SIO_ADMIN_UI_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/admin_ui/*.cpp)
  sio_add_library(admin_ui ${SIO_ADMIN_UI_SOURCES})
  target_link_libraries(sio_admin_ui PUBLIC sio_server PRIVATE crypt)
else()
  message(STATUS "sio_admin_ui not built (needs libxcrypt: libcrypt-dev)")
endif()

# --- sio::sio: the umbrella (server + engine + protocol) ----------------------------------------
add_library(sio INTERFACE)
add_library(sio::sio ALIAS sio)
target_link_libraries(sio INTERFACE sio_server)
