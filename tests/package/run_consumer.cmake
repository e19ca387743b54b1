# Runs one packaging check as a single ctest entry (cmake -P run_consumer.cmake).
#
# MODE=install: fresh `cmake --install BUILD_DIR --prefix PREFIX` of the library parts.
# Otherwise: configure SOURCE_DIR into a fresh BINARY_DIR, build it, run `xddp_consumer`
# and check that its output contains EXPECTED_OUTPUT.
#   GENERATOR, CONFIG         the generator and configuration of the outer build
#   CONFIGURE_ARGS, EXTRA_ARGS  `|`-separated arguments for the nested configure
cmake_minimum_required(VERSION 3.16)

function(run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

if(NOT CONFIG)
  set(CONFIG Release)
endif()

if(MODE STREQUAL "install")
  # Start empty, so a header left over from an earlier install cannot hide a forgotten one.
  file(REMOVE_RECURSE "${PREFIX}")
  run_step("install" "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}"
           --config "${CONFIG}" --component xddp_Development)
  message(STATUS "installed xddp into ${PREFIX}")
  return()
endif()

string(REPLACE "|" ";" configure_args "${CONFIGURE_ARGS}|${EXTRA_ARGS}")
list(FILTER configure_args EXCLUDE REGEX "^$")

file(REMOVE_RECURSE "${BINARY_DIR}")
run_step("configure" "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${BINARY_DIR}" -G "${GENERATOR}"
         ${configure_args})
run_step("build" "${CMAKE_COMMAND}" --build "${BINARY_DIR}" --config "${CONFIG}")

# Single-config generators put the program in BINARY_DIR, multi-config ones in BINARY_DIR/CONFIG.
set(program "${BINARY_DIR}/xddp_consumer")
if(NOT EXISTS "${program}" AND NOT EXISTS "${program}.exe")
  set(program "${BINARY_DIR}/${CONFIG}/xddp_consumer")
endif()
run_step("run" "${program}")
if(DEFINED EXPECTED_OUTPUT AND NOT step_output MATCHES "${EXPECTED_OUTPUT}")
  message(FATAL_ERROR "consumer printed '${step_output}', expected '${EXPECTED_OUTPUT}'")
endif()
message(STATUS "consumer printed: ${step_output}")
