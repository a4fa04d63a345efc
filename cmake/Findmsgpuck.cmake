# Findmsgpuck: the msgpuck MessagePack library (Debian libmsgpuck-dev ships only a static library
# and msgpuck.h, with no CMake or pkg-config files).
#
# Result: msgpuck_FOUND, the imported target msgpuck::msgpuck, the cache entries
# msgpuck_INCLUDE_DIR and msgpuck_LIBRARY (set them to use another copy).
find_path(msgpuck_INCLUDE_DIR msgpuck.h)
find_library(msgpuck_LIBRARY msgpuck)
mark_as_advanced(msgpuck_INCLUDE_DIR msgpuck_LIBRARY)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(msgpuck REQUIRED_VARS msgpuck_LIBRARY msgpuck_INCLUDE_DIR)

if(msgpuck_FOUND AND NOT TARGET msgpuck::msgpuck)
  add_library(msgpuck::msgpuck UNKNOWN IMPORTED)
  set_target_properties(msgpuck::msgpuck PROPERTIES
    IMPORTED_LOCATION ${msgpuck_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${msgpuck_INCLUDE_DIR})
endif()
