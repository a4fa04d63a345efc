# Consumer tests (label consumer): tests/consumer built against this build's install tree
# (find_package), its .deb (CPack, extracted), its pkg-config file, and as a FetchContent
# subproject; each program is checked with the official socket.io-client from tests/js.
# run.sh does the work; the fixture installs and packs once and removes the scratch folder after.
# Included by tests/CMakeLists.txt (the folder itself is the consumer project).
find_program(NODE_EXECUTABLE node)
if(NOT NODE_EXECUTABLE OR NOT SIO_INSTALL OR SIO_SANITIZE)
  message(STATUS "consumer tests not registered (need node, SIO_INSTALL, no sanitizer)")
  return()
endif()

set(SIO_CONSUMER_DIR ${CMAKE_CURRENT_LIST_DIR})
set(SIO_CONSUMER_ENV
  "SIO_BUILD_DIR=${PROJECT_BINARY_DIR}"
  "SIO_CONSUMER_WORK=${PROJECT_BINARY_DIR}/consumer-tests"
  "CMAKE=${CMAKE_COMMAND}"
  "CPACK=${CMAKE_CPACK_COMMAND}"
  "CMAKE_GENERATOR=${CMAKE_GENERATOR}")
if(TARGET sio_redis)
  list(APPEND SIO_CONSUMER_ENV "SIO_EXPECT_REDIS=1")
endif()

# sio_add_consumer_test(<step> [PROCESSORS n]): one run.sh step as the test consumer_<step>.
function(sio_add_consumer_test step)
  cmake_parse_arguments(C "" "PROCESSORS" "" ${ARGN})
  if(NOT C_PROCESSORS)
    set(C_PROCESSORS 1)
  endif()
  add_test(NAME consumer_${step} COMMAND ${SIO_CONSUMER_DIR}/run.sh ${step})
  set_tests_properties(consumer_${step} PROPERTIES
    LABELS consumer
    TIMEOUT 900
    PROCESSORS ${C_PROCESSORS}
    RESOURCE_LOCK sio_consumer
    RUN_SERIAL TRUE  # a compile beside the timing-sensitive interop tests would starve them
    ENVIRONMENT "${SIO_CONSUMER_ENV};JOBS=${C_PROCESSORS}")
endfunction()

sio_add_consumer_test(prepare)
set_tests_properties(consumer_prepare PROPERTIES FIXTURES_SETUP sio_consumer)
sio_add_consumer_test(clean)
set_tests_properties(consumer_clean PROPERTIES FIXTURES_CLEANUP sio_consumer)
foreach(step find-package deb pkg-config)
  sio_add_consumer_test(${step})
  set_tests_properties(consumer_${step} PROPERTIES FIXTURES_REQUIRED sio_consumer)
endforeach()
# Builds sio's libraries inside the consumer's build: two processors.
sio_add_consumer_test(fetchcontent PROCESSORS 2)
set_tests_properties(consumer_fetchcontent PROPERTIES FIXTURES_REQUIRED sio_consumer)

# The README's "Use sio in your project" snippets are the tested ones, verbatim.
add_test(NAME consumer_readme
  COMMAND ${SIO_CONSUMER_DIR}/check-readme.sh ${PROJECT_SOURCE_DIR}/README.md
          ${SIO_CONSUMER_DIR}/CMakeLists.txt ${SIO_CONSUMER_DIR}/run.sh)
set_tests_properties(consumer_readme PROPERTIES LABELS consumer)
