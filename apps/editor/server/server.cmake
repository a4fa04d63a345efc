# The editor's server module. sio_editor_core: storage (SQLite, PostgreSQL), the documents in
# memory, the REST routes; no network code, so its unit tests build with SIO_BUILD_APPS=OFF (the
# ASan build). sio_editor_server adds the Socket.IO side (namespace /editor). Included by
# apps/editor/CMakeLists.txt and tests/editor/CMakeLists.txt.
include(${CMAKE_CURRENT_LIST_DIR}/../ot/ot.cmake)
if(NOT TARGET sio_editor_core)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(SIO_EDITOR_SQLITE REQUIRED IMPORTED_TARGET sqlite3)
  pkg_check_modules(SIO_EDITOR_PQXX REQUIRED IMPORTED_TARGET libpqxx)
  add_library(sio_editor_core
    ${CMAKE_CURRENT_LIST_DIR}/src/sqlite_storage.cpp
    ${CMAKE_CURRENT_LIST_DIR}/src/pg_storage.cpp
    ${CMAKE_CURRENT_LIST_DIR}/src/documents.cpp
    ${CMAKE_CURRENT_LIST_DIR}/src/rate_limit.cpp
    ${CMAKE_CURRENT_LIST_DIR}/src/rest.cpp)
  target_include_directories(sio_editor_core PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include)
  target_link_libraries(sio_editor_core PUBLIC
    sio_editor_ot Boost::json PkgConfig::SIO_EDITOR_SQLITE PkgConfig::SIO_EDITOR_PQXX
    Threads::Threads)
endif()
if(TARGET sio_server AND NOT TARGET sio_editor_server)
  add_library(sio_editor_server ${CMAKE_CURRENT_LIST_DIR}/src/realtime.cpp)
  target_link_libraries(sio_editor_server PUBLIC sio_editor_core sio_server)
endif()
# sio_editor: the editor as a module of the demo server (apps/demo), on the apps' common seam.
include(${CMAKE_CURRENT_LIST_DIR}/../../common/common.cmake)
if(TARGET sio_editor_server AND NOT TARGET sio_editor)
  add_library(sio_editor ${CMAKE_CURRENT_LIST_DIR}/module/editor_module.cpp)
  target_include_directories(sio_editor PUBLIC ${CMAKE_CURRENT_LIST_DIR}/module)
  target_link_libraries(sio_editor PUBLIC sio_editor_server sio_apps_common)
endif()
