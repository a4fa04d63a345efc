# sio_chat: the chat app of the demo server (chat::module: storage, REST routes, Socket.IO side),
# on sio_apps_common. Included by apps/chat/CMakeLists.txt, apps/demo and tests/chat (also with
# SIO_BUILD_APPS=OFF, e.g. the ASan build).
include(${CMAKE_CURRENT_LIST_DIR}/../common/common.cmake)
if(NOT TARGET sio_chat)
  set(dir ${CMAKE_CURRENT_LIST_DIR}/src)
  add_library(sio_chat STATIC
    ${dir}/sqlite_storage.cpp ${dir}/pg_storage.cpp ${dir}/room_rules.cpp ${dir}/api.cpp
    ${dir}/presence.cpp ${dir}/realtime.cpp ${dir}/chat_module.cpp)
  target_include_directories(sio_chat PUBLIC ${dir})
  target_link_libraries(sio_chat PUBLIC sio_apps_common)
  unset(dir)
endif()
