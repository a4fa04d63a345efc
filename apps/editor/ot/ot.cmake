# sio_editor_ot: the editor's operational transformation core (text operations in ot.js's JSON
# form, UTF-16 lengths, apply/compose/transform, the server's history). Pure: Boost.JSON and sio's
# codecs (sio_protocol, for UTF-8 validation), no I/O. Included by apps/editor/CMakeLists.txt, tests/editor/CMakeLists.txt and
# bench/CMakeLists.txt, so the tests build also with SIO_BUILD_APPS=OFF (the ASan build).
if(NOT TARGET sio_editor_ot)
  add_library(sio_editor_ot
    ${CMAKE_CURRENT_LIST_DIR}/src/error.cpp
    ${CMAKE_CURRENT_LIST_DIR}/src/utf16.cpp
    ${CMAKE_CURRENT_LIST_DIR}/src/text_operation.cpp
    ${CMAKE_CURRENT_LIST_DIR}/src/json.cpp
    ${CMAKE_CURRENT_LIST_DIR}/src/apply.cpp
    ${CMAKE_CURRENT_LIST_DIR}/src/transform.cpp
    ${CMAKE_CURRENT_LIST_DIR}/src/history.cpp)
  target_include_directories(sio_editor_ot PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include)
  target_compile_features(sio_editor_ot PUBLIC cxx_std_20)
  target_link_libraries(sio_editor_ot PUBLIC Boost::json sio_protocol)
endif()
