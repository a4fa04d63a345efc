# The live dashboard app of the demo server. sio_dashboard_core: the sample (built from two
# readings of the metrics) and the history of every node's samples. sio_dashboard adds the
# Socket.IO side (namespace /dashboard, the sampler thread) and the module (dashboard::module).
# Included by apps/dashboard/CMakeLists.txt, apps/demo and tests/dashboard (also with
# SIO_BUILD_APPS=OFF, e.g. the ASan build).
include(${CMAKE_CURRENT_LIST_DIR}/../common/common.cmake)
if(NOT TARGET sio_dashboard_core)
  add_library(sio_dashboard_core STATIC ${CMAKE_CURRENT_LIST_DIR}/src/sample.cpp
    ${CMAKE_CURRENT_LIST_DIR}/src/history.cpp)
  target_include_directories(sio_dashboard_core PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include)
  target_link_libraries(sio_dashboard_core PUBLIC sio_server Boost::json)
endif()
if(NOT TARGET sio_dashboard)
  add_library(sio_dashboard STATIC ${CMAKE_CURRENT_LIST_DIR}/src/realtime.cpp
    ${CMAKE_CURRENT_LIST_DIR}/module/dashboard_module.cpp)
  target_include_directories(sio_dashboard PUBLIC ${CMAKE_CURRENT_LIST_DIR}/module)
  target_link_libraries(sio_dashboard PUBLIC sio_dashboard_core sio_apps_common sio_server
    Threads::Threads)
endif()
