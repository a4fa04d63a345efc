# The live auction app of the demo server. sio_auction_core: the rules, the event sequencer,
# storage (tables in the demo server's one database, through sio_apps_common's SQLite and
# PostgreSQL plumbing), the delivery thread and the REST routes. sio_auction adds the Socket.IO
# side (namespace /auction) and the module (auction::module). Included by
# apps/auction/CMakeLists.txt, apps/demo and tests/auction (also with SIO_BUILD_APPS=OFF, e.g.
# the ASan build).
include(${CMAKE_CURRENT_LIST_DIR}/../common/common.cmake)
if(NOT TARGET sio_auction_core)
  set(dir ${CMAKE_CURRENT_LIST_DIR}/src)
  add_library(sio_auction_core STATIC
    ${dir}/rules.cpp ${dir}/events.cpp ${dir}/sequencer.cpp ${dir}/storage.cpp
    ${dir}/sqlite_storage.cpp ${dir}/pg_storage.cpp ${dir}/delivery.cpp ${dir}/rest.cpp
    ${dir}/outbid.cpp)
  target_include_directories(sio_auction_core PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include)
  target_link_libraries(sio_auction_core PUBLIC sio_apps_common Boost::json Threads::Threads)
  unset(dir)
endif()
if(NOT TARGET sio_auction)
  add_library(sio_auction STATIC ${CMAKE_CURRENT_LIST_DIR}/src/realtime.cpp
    ${CMAKE_CURRENT_LIST_DIR}/module/auction_module.cpp)
  target_include_directories(sio_auction PUBLIC ${CMAKE_CURRENT_LIST_DIR}/module)
  target_link_libraries(sio_auction PUBLIC sio_auction_core sio_server)
endif()
