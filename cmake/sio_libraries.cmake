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
