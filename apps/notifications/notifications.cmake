# The notifications app of the demo server. sio_notifications_core: the input rules, storage (a
# table in the demo server's one database, through sio_apps_common's SQLite and PostgreSQL
# plumbing), the Socket.IO side (dynamic namespace /users/<id>) and the REST routes.
# sio_notifications adds the module (notifications::module). Included by
# apps/notifications/CMakeLists.txt, apps/demo and tests/notifications (also with
# SIO_BUILD_APPS=OFF, e.g. the ASan build).
include(${CMAKE_CURRENT_LIST_DIR}/../common/common.cmake)
if(NOT TARGET sio_notifications_core)
  set(dir ${CMAKE_CURRENT_LIST_DIR}/src)
  add_library(sio_notifications_core STATIC
    ${dir}/rules.cpp ${dir}/storage.cpp ${dir}/sqlite_storage.cpp ${dir}/pg_storage.cpp
    ${dir}/realtime.cpp ${dir}/rest.cpp)
  target_include_directories(sio_notifications_core PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include)
  target_link_libraries(sio_notifications_core PUBLIC sio_apps_common sio_server Boost::json
    Threads::Threads)
  unset(dir)
endif()
if(NOT TARGET sio_notifications)
  add_library(sio_notifications STATIC
    ${CMAKE_CURRENT_LIST_DIR}/module/notifications_module.cpp)
  target_include_directories(sio_notifications PUBLIC ${CMAKE_CURRENT_LIST_DIR}/module)
  target_link_libraries(sio_notifications PUBLIC sio_notifications_core)
endif()
