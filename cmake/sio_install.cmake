# Installation (install component "sio"): the public headers, the libraries, the CMake package
# (find_package(sio)), pkg-config files, and the Debian package libsio-dev (CPack).
#
# Two export sets: sioTargets (protocol, engineio, server, client, the umbrella sio::sio, and
# every later library) needs Boost, OpenSSL, zlib and Threads; sioRedisTargets (redis, msgpack) also needs hiredis
# and msgpuck, so find_package(sio) works without them and sio::redis is the component "redis".
include(CMakePackageConfigHelpers)

set(SIO_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/sio)
set(SIO_REDIS_TARGETS "")
foreach(target sio_msgpack sio_redis)
  if(TARGET ${target})
    list(APPEND SIO_REDIS_TARGETS ${target})
  endif()
endforeach()
set(SIO_CORE_TARGETS ${SIO_LIBRARY_TARGETS} sio)
list(REMOVE_ITEM SIO_CORE_TARGETS ${SIO_REDIS_TARGETS})

# sio_install_targets(<export set> <targets>...): libraries and their export set.
function(sio_install_targets export_set)
  install(TARGETS ${ARGN} EXPORT ${export_set}
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT sio
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT sio
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT sio)
  install(EXPORT ${export_set} NAMESPACE sio:: DESTINATION ${SIO_CMAKE_INSTALL_DIR} COMPONENT sio)
endfunction()

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/sio
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT sio)
sio_install_targets(sioTargets ${SIO_CORE_TARGETS})
if(TARGET sio_redis)
  sio_install_targets(sioRedisTargets ${SIO_REDIS_TARGETS})
  install(FILES ${PROJECT_SOURCE_DIR}/cmake/Findmsgpuck.cmake
    DESTINATION ${SIO_CMAKE_INSTALL_DIR} COMPONENT sio)
endif()

# --- CMake package: sioConfig.cmake, sioConfigVersion.cmake ------------------------------------
# The static libraries hold code compiled from Boost's headers: a consumer must use the same
# Boost release (major.minor), which sioConfig.cmake checks.
set(SIO_BOOST_VERSION ${Boost_VERSION_MAJOR}.${Boost_VERSION_MINOR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/sioConfig.cmake.in
  ${PROJECT_BINARY_DIR}/sioConfig.cmake
  INSTALL_DESTINATION ${SIO_CMAKE_INSTALL_DIR})
# 0.x: a minor release may change the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/sioConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/sioConfig.cmake ${PROJECT_BINARY_DIR}/sioConfigVersion.cmake
  DESTINATION ${SIO_CMAKE_INSTALL_DIR} COMPONENT sio)

# --- pkg-config: sio.pc (the umbrella), sio-client.pc, sio-redis.pc ---------------------------
include(${CMAKE_CURRENT_LIST_DIR}/sio_pkgconfig.cmake)

# --- Debian package: libsio-dev_<version>_<arch>.deb (`make package`) ---------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME libsio-dev)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION} (headers, static libraries)")
set(CPACK_PACKAGE_DESCRIPTION
  "Headers, static libraries, CMake package (find_package(sio)) and pkg-config files (sio, sio-client, sio-redis)")
set(CPACK_PACKAGE_CONTACT "sio maintainers")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_CMAKE_PROJECTS "${PROJECT_BINARY_DIR};sio;sio;/")  # the library only
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The Debian dev packages of what the headers include and the libraries link.
set(SIO_DEB_DEPENDS
  libboost${SIO_BOOST_VERSION}-dev
  libboost-json${SIO_BOOST_VERSION}-dev
  libboost-url${SIO_BOOST_VERSION}-dev
  "libssl-dev (>= 3)"
  zlib1g-dev)
if(TARGET sio_redis)
  list(APPEND SIO_DEB_DEPENDS libhiredis-dev libmsgpuck-dev)
endif()
if(TARGET sio_admin_ui)
  list(APPEND SIO_DEB_DEPENDS libcrypt-dev)
endif()
list(JOIN SIO_DEB_DEPENDS ", " CPACK_DEBIAN_PACKAGE_DEPENDS)
include(CPack)
