# pkg-config files: sio.pc (sio::sio: server + engine + protocol), sio-client.pc (sio::client: the
# client + protocol, no server) and, with sio_redis, sio-redis.pc.
# `pkg-config --cflags --libs sio` gives everything needed to compile and link: with static
# libraries (the default) their dependencies are in Libs/Requires, with BUILD_SHARED_LIBS the ones
# a consumer does not call directly move to Libs.private/Requires.private. The files locate the
# install prefix from their own place (${pcfiledir}), so an installed tree can be moved.

# sio_pc_dir_flag(<out> <flag> <dir> <implicit dirs>): " <flag><dir>" unless the compiler searches
# <dir> anyway.
function(sio_pc_dir_flag out flag dir implicit)
  set(value "")
  if(dir AND NOT dir IN_LIST implicit)
    set(value " ${flag}${dir}")
  endif()
  set(${out} "${value}" PARENT_SCOPE)
endfunction()

# sio_pc_library_dir(<out> <imported target>): the folder of an imported library's file.
function(sio_pc_library_dir out target)
  get_target_property(location ${target} IMPORTED_LOCATION)
  if(NOT location)
    get_target_property(configs ${target} IMPORTED_CONFIGURATIONS)
    list(GET configs 0 config)
    get_target_property(location ${target} IMPORTED_LOCATION_${config})
  endif()
  get_filename_component(dir "${location}" DIRECTORY)
  set(${out} "${dir}" PARENT_SCOPE)
endfunction()

if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(SIO_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  set(SIO_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(SIO_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(SIO_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
# From <prefix>/<libdir>/pkgconfig back to <prefix>.
file(RELATIVE_PATH SIO_PC_TO_PREFIX "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" SIO_PC_TO_PREFIX "${SIO_PC_TO_PREFIX}")

sio_pc_dir_flag(SIO_PC_BOOST_CFLAGS -I "${Boost_INCLUDE_DIRS}"
                "${CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES}")
sio_pc_library_dir(boost_libdir Boost::json)
sio_pc_dir_flag(SIO_PC_BOOST_LIBS -L "${boost_libdir}" "${CMAKE_CXX_IMPLICIT_LINK_DIRECTORIES}")

# Libraries a consumer's own code calls (sio's, Boost.JSON through the headers) always go in Libs.
set(SIO_PC_LIBS "-lsio_server -lsio_engineio -lsio_protocol${SIO_PC_BOOST_LIBS} -lboost_json")
set(SIO_CLIENT_PC_LIBS "-lsio_client -lsio_protocol${SIO_PC_BOOST_LIBS} -lboost_json")
set(SIO_PC_PRIVATE_LIBS "-lboost_url -pthread")
set(SIO_PC_PRIVATE_REQUIRES "libssl libcrypto zlib")
# sio_redis and sio_msgpack are always static (see sio_libraries.cmake).
if(TARGET sio_redis)
  get_filename_component(msgpuck_libdir "${msgpuck_LIBRARY}" DIRECTORY)
  sio_pc_dir_flag(msgpuck_libdir_flag -L "${msgpuck_libdir}" "${CMAKE_CXX_IMPLICIT_LINK_DIRECTORIES}")
  set(SIO_REDIS_PC_LIBS "-lsio_redis -lsio_msgpack${msgpuck_libdir_flag} -lmsgpuck")
endif()

if(BUILD_SHARED_LIBS)
  set(SIO_PC_LIBS_PRIVATE_FIELD "\nLibs.private: ${SIO_PC_PRIVATE_LIBS}")
  set(SIO_PC_REQUIRES_FIELD "Requires.private: ${SIO_PC_PRIVATE_REQUIRES}")
else()
  string(APPEND SIO_PC_LIBS " ${SIO_PC_PRIVATE_LIBS}")
  string(APPEND SIO_CLIENT_PC_LIBS " ${SIO_PC_PRIVATE_LIBS}")
  set(SIO_PC_LIBS_PRIVATE_FIELD "")
  set(SIO_PC_REQUIRES_FIELD "Requires: ${SIO_PC_PRIVATE_REQUIRES}")
endif()

set(SIO_PC_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
configure_file(${CMAKE_CURRENT_LIST_DIR}/sio.pc.in ${PROJECT_BINARY_DIR}/sio.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/sio.pc DESTINATION ${SIO_PC_INSTALL_DIR} COMPONENT sio)
configure_file(${CMAKE_CURRENT_LIST_DIR}/sio-client.pc.in ${PROJECT_BINARY_DIR}/sio-client.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/sio-client.pc DESTINATION ${SIO_PC_INSTALL_DIR} COMPONENT sio)
if(TARGET sio_redis)
  configure_file(${CMAKE_CURRENT_LIST_DIR}/sio-redis.pc.in ${PROJECT_BINARY_DIR}/sio-redis.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/sio-redis.pc DESTINATION ${SIO_PC_INSTALL_DIR} COMPONENT sio)
endif()
