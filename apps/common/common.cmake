# sio_apps_common: what the demo server's apps share (namespace apps): the database plumbing
# (SQLite, PostgreSQL, per-component migrations), the accounts and their REST API, JWT and
# password hashing, rate limits, options, static files, the HTTP glue, the Socket.IO login and
# the app_module seam. Included by apps/common/CMakeLists.txt and wherever a target needs it
# (tests/common, also with SIO_BUILD_APPS=OFF, e.g. the ASan build).
if(NOT TARGET sio_apps_common)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(SIO_APPS_SQLITE REQUIRED IMPORTED_TARGET sqlite3)
  pkg_check_modules(SIO_APPS_SODIUM REQUIRED IMPORTED_TARGET libsodium)
  pkg_check_modules(SIO_APPS_JWT REQUIRED IMPORTED_TARGET libjwt)
  # PostgreSQL (--db postgresql://...) through libpqxx (Debian libpqxx-dev).
  pkg_check_modules(SIO_APPS_PQXX REQUIRED IMPORTED_TARGET libpqxx)

  set(dir ${CMAKE_CURRENT_LIST_DIR}/src)
  add_library(sio_apps_common STATIC
    ${dir}/sqlite_db.cpp ${dir}/pg_db.cpp ${dir}/accounts.cpp ${dir}/accounts_api.cpp
    ${dir}/auth.cpp ${dir}/validation.cpp ${dir}/static_files.cpp ${dir}/options.cpp
    ${dir}/secret.cpp ${dir}/rate_limit.cpp ${dir}/login_throttle.cpp ${dir}/http_glue.cpp
    ${dir}/login.cpp ${dir}/sessions.cpp ${dir}/registry.cpp ${dir}/socket_handlers.cpp)
  target_include_directories(sio_apps_common PUBLIC ${dir})
  target_compile_definitions(sio_apps_common PRIVATE
    SIO_APPS_SOURCE_WEB_DIR="${CMAKE_CURRENT_LIST_DIR}/../demo/web/dist")
  target_link_libraries(sio_apps_common PUBLIC
    sio_server Boost::json Boost::headers PkgConfig::SIO_APPS_SQLITE PkgConfig::SIO_APPS_SODIUM
    PkgConfig::SIO_APPS_JWT PkgConfig::SIO_APPS_PQXX Threads::Threads)
  unset(dir)
endif()
