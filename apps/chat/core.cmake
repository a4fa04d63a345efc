# sio_chat_core: storage, auth, validation, REST API and static files; no network code, so the
# unit tests in tests/chat build (also with SIO_BUILD_APPS=OFF, e.g. the ASan build) without the
# engine or Socket.IO layers. Included by apps/chat/CMakeLists.txt and tests/chat/CMakeLists.txt.
if(NOT TARGET sio_chat_core)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(SIO_CHAT_SQLITE REQUIRED IMPORTED_TARGET sqlite3)
  pkg_check_modules(SIO_CHAT_SODIUM REQUIRED IMPORTED_TARGET libsodium)
  pkg_check_modules(SIO_CHAT_JWT REQUIRED IMPORTED_TARGET libjwt)
  # PostgreSQL storage (--db postgresql://...) through libpqxx (Debian libpqxx-dev).
  pkg_check_modules(SIO_CHAT_PQXX REQUIRED IMPORTED_TARGET libpqxx)

  add_library(sio_chat_core
    ${CMAKE_CURRENT_LIST_DIR}/src/sqlite_storage.cpp
    ${CMAKE_CURRENT_LIST_DIR}/src/pg_storage.cpp
    ${CMAKE_CURRENT_LIST_DIR}/../common/src/auth.cpp
    ${CMAKE_CURRENT_LIST_DIR}/../common/src/validation.cpp
    ${CMAKE_CURRENT_LIST_DIR}/../common/src/static_files.cpp
    ${CMAKE_CURRENT_LIST_DIR}/src/api.cpp
    ${CMAKE_CURRENT_LIST_DIR}/../common/src/options.cpp
    ${CMAKE_CURRENT_LIST_DIR}/../common/src/secret.cpp
    ${CMAKE_CURRENT_LIST_DIR}/src/presence.cpp
    ${CMAKE_CURRENT_LIST_DIR}/../common/src/rate_limit.cpp
    ${CMAKE_CURRENT_LIST_DIR}/../common/src/login_throttle.cpp)
  target_include_directories(sio_chat_core PUBLIC ${CMAKE_CURRENT_LIST_DIR}/src
    ${CMAKE_CURRENT_LIST_DIR}/../common/src)
  target_compile_definitions(sio_chat_core PRIVATE
    SIO_CHAT_SOURCE_WEB_DIR="${CMAKE_CURRENT_LIST_DIR}/web/dist")
  target_link_libraries(sio_chat_core PUBLIC
    Boost::json Boost::headers PkgConfig::SIO_CHAT_SQLITE PkgConfig::SIO_CHAT_SODIUM
    PkgConfig::SIO_CHAT_JWT PkgConfig::SIO_CHAT_PQXX Threads::Threads)
endif()
