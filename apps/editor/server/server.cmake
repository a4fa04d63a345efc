# The editor's server module. sio_editor_core: storage (tables in the demo server's one database,
# through sio_apps_common's SQLite and PostgreSQL plumbing), the documents in memory, the REST
# routes; no Socket.IO code, so its unit tests build with SIO_BUILD_APPS=OFF (the ASan build).
# sio_editor_server adds the Socket.IO side (namespace /editor). Included by
# apps/editor/CMakeLists.txt and tests/editor/CMakeLists.txt.
include(${CMAKE_CURRENT_LIST_DIR}/../ot/ot.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/../../common/common.cmake)
if(NOT TARGET sio_editor_core)
  set(dir ${CMAKE_CURRENT_LIST_DIR}/src)
  add_library(sio_editor_core
    ${dir}/storage.cpp ${dir}/sqlite_storage.cpp ${dir}/pg_storage.cpp ${dir}/documents.cpp
    ${dir}/rest.cpp)
  target_include_directories(sio_editor_core PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include)
  target_link_libraries(sio_editor_core PUBLIC sio_editor_ot sio_apps_common Boost::json
    Threads::Threads)
  unset(dir)
endif()
if(TARGET sio_server AND NOT TARGET sio_editor_server)
  add_library(sio_editor_server ${CMAKE_CURRENT_LIST_DIR}/src/realtime.cpp)
  target_link_libraries(sio_editor_server PUBLIC sio_editor_core sio_server)
endif()
# sio_editor: the editor as a module of the demo server (apps/demo), on the apps' common seam.
if(TARGET sio_editor_server AND NOT TARGET sio_editor)
  add_library(sio_editor ${CMAKE_CURRENT_LIST_DIR}/module/editor_module.cpp)
  target_include_directories(sio_editor PUBLIC ${CMAKE_CURRENT_LIST_DIR}/module)
  target_link_libraries(sio_editor PUBLIC sio_editor_server sio_apps_common)
endif()
