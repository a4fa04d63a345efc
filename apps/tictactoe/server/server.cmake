# The tic-tac-toe server module. sio_tictactoe_core: the rules, the storage (tables in the demo
# server's one database, through sio_apps_common's SQLite and PostgreSQL plumbing), the REST
# routes; no Socket.IO code, so its unit tests build with SIO_BUILD_APPS=OFF (the ASan build).
# sio_tictactoe_server adds the Socket.IO side (namespace /tictactoe). Included by
# apps/tictactoe/CMakeLists.txt, apps/demo/CMakeLists.txt and tests/tictactoe/CMakeLists.txt.
include(${CMAKE_CURRENT_LIST_DIR}/../../common/common.cmake)
if(NOT TARGET sio_tictactoe_core)
  set(dir ${CMAKE_CURRENT_LIST_DIR}/src)
  add_library(sio_tictactoe_core
    ${dir}/rules.cpp ${dir}/storage.cpp ${dir}/sqlite_storage.cpp ${dir}/pg_storage.cpp
    ${dir}/rest.cpp ${dir}/turn_notice.cpp)
  target_include_directories(sio_tictactoe_core PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include)
  target_link_libraries(sio_tictactoe_core PUBLIC sio_apps_common Boost::json Threads::Threads)
  unset(dir)
endif()
if(TARGET sio_server AND NOT TARGET sio_tictactoe_server)
  add_library(sio_tictactoe_server ${CMAKE_CURRENT_LIST_DIR}/src/realtime.cpp)
  target_link_libraries(sio_tictactoe_server PUBLIC sio_tictactoe_core sio_server)
endif()
# sio_tictactoe: the game as a module of the demo server (apps/demo), on the apps' common seam.
if(TARGET sio_tictactoe_server AND NOT TARGET sio_tictactoe)
  add_library(sio_tictactoe ${CMAKE_CURRENT_LIST_DIR}/module/tictactoe_module.cpp)
  target_include_directories(sio_tictactoe PUBLIC ${CMAKE_CURRENT_LIST_DIR}/module)
  target_link_libraries(sio_tictactoe PUBLIC sio_tictactoe_server sio_apps_common)
endif()
