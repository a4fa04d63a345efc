# What embedding sio must leave untouched in the parent project: its variables and directory
# settings, the interface of sio's targets (no flags or defines), and which targets get built
# (the libraries only: no apps, tests or benchmarks).
set(SIO_CONSUMER_WATCHED_VARIABLES
  CMAKE_CXX_STANDARD CMAKE_CXX_EXTENSIONS CMAKE_CXX_FLAGS CMAKE_CXX_COMPILER_LAUNCHER
  CMAKE_RUNTIME_OUTPUT_DIRECTORY CMAKE_LIBRARY_OUTPUT_DIRECTORY CMAKE_ARCHIVE_OUTPUT_DIRECTORY
  CMAKE_EXPORT_COMPILE_COMMANDS CMAKE_BUILD_TYPE CMAKE_MODULE_PATH)
set(SIO_CONSUMER_WATCHED_DIRECTORY_PROPERTIES
  COMPILE_OPTIONS COMPILE_DEFINITIONS INCLUDE_DIRECTORIES LINK_OPTIONS)

# sio_consumer_snapshot(<name>): remembers the watched settings as <name>_<setting>.
macro(sio_consumer_snapshot name)
  foreach(var IN LISTS SIO_CONSUMER_WATCHED_VARIABLES)
    set(${name}_${var} "${${var}}")
  endforeach()
  foreach(prop IN LISTS SIO_CONSUMER_WATCHED_DIRECTORY_PROPERTIES)
    get_directory_property(${name}_${prop} ${prop})
  endforeach()
endmacro()

# sio_consumer_check_parent(<name>): fails the configure step if sio changed anything watched.
function(sio_consumer_check_parent name)
  sio_consumer_snapshot(after)
  foreach(setting IN LISTS SIO_CONSUMER_WATCHED_VARIABLES SIO_CONSUMER_WATCHED_DIRECTORY_PROPERTIES)
    if(NOT "${${name}_${setting}}" STREQUAL "${after_${setting}}")
      message(FATAL_ERROR "sio changed the parent's ${setting}: "
                          "'${${name}_${setting}}' -> '${after_${setting}}'")
    endif()
  endforeach()
  foreach(target sio_protocol sio_engineio sio_server sio_client sio)
    foreach(prop INTERFACE_COMPILE_OPTIONS INTERFACE_COMPILE_DEFINITIONS INTERFACE_LINK_OPTIONS)
      get_target_property(value ${target} ${prop})
      if(value)
        message(FATAL_ERROR "${target} imposes ${prop} on its users: ${value}")
      endif()
    endforeach()
  endforeach()
  get_directory_property(subdirectories DIRECTORY ${sio_SOURCE_DIR} SUBDIRECTORIES)
  if(subdirectories)
    message(FATAL_ERROR "sio as a subproject adds more than its libraries: ${subdirectories}")
  endif()
  get_directory_property(tests DIRECTORY ${sio_SOURCE_DIR} TESTS)
  if(tests)
    message(FATAL_ERROR "sio as a subproject registers tests: ${tests}")
  endif()
endfunction()
