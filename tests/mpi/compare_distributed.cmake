# One distributed test: runs `xddp ARGS -o single.EXT` as one process, then
# `MPIEXEC [PREFLAGS] -np NP xddp ARGS -o distributed.EXT --distributed`, and requires both to succeed and
# the two files to be identical byte for byte. With EXPECT_FAILURE=REGEX the distributed run must fail
# instead and its output match REGEX (every failed rank named with its shard), REPEAT times in a row
# (default 1); OUTPUT=PATH (relative to WORK_DIR) names the -o file of such a run.
#
#   cmake -DXDDP=... -DMPIEXEC=... -DMPIEXEC_PREFLAGS=a|b -DNP=3 -DARGS=a|b|c -DEXT=json -DWORK_DIR=...
#         [-DEXPECT_FAILURE=regex [-DREPEAT=n] [-DOUTPUT=path]] -P compare_distributed.cmake
# `|` separates list items (ctest would split `;`).

foreach(var XDDP MPIEXEC NP ARGS EXT WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "compare_distributed.cmake: -D${var}=... is required")
  endif()
endforeach()
string(REPLACE "|" ";" args "${ARGS}")
string(REPLACE "|" ";" preflags "${MPIEXEC_PREFLAGS}")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(single "${WORK_DIR}/single.${EXT}")
set(distributed "${WORK_DIR}/distributed.${EXT}")

# OpenMPI refuses to run as root (CI containers) unless told it may.
set(ENV{OMPI_ALLOW_RUN_AS_ROOT} 1)
set(ENV{OMPI_ALLOW_RUN_AS_ROOT_CONFIRM} 1)

if(DEFINED EXPECT_FAILURE)
  if(NOT DEFINED REPEAT)
    set(REPEAT 1)
  endif()
  if(DEFINED OUTPUT)
    set(distributed "${WORK_DIR}/${OUTPUT}")
  endif()
  foreach(attempt RANGE 1 ${REPEAT})
    execute_process(COMMAND "${MPIEXEC}" ${preflags} -np ${NP} "${XDDP}" ${args} -o "${distributed}" --distributed
                    WORKING_DIRECTORY "${WORK_DIR}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(rc EQUAL 0)
      message(FATAL_ERROR "run ${attempt}: the distributed run succeeded where it should fail:\n${out}\n${err}")
    endif()
    if(NOT "${out}${err}" MATCHES "${EXPECT_FAILURE}")
      message(FATAL_ERROR "run ${attempt} of ${REPEAT}: the distributed run failed (${rc}) without matching "
                          "'${EXPECT_FAILURE}':\n${out}\n${err}")
    endif()
  endforeach()
  message(STATUS "failed as expected, ${REPEAT} time(s):\n${err}")
  return()
endif()

# RANK0_SIMD=level: rank 0 runs with XDDP_SIMD=level (OpenMPI's -x, one app context), the other ranks at
# their best; the ranks must agree on that level, say so, and match a single process run at it.
set(single_cmd "${XDDP}")
set(distributed_cmd "${MPIEXEC}" ${preflags} -np ${NP} "${XDDP}" ${args} -o "${distributed}" --distributed)
if(DEFINED RANK0_SIMD)
  set(single_cmd "${CMAKE_COMMAND}" -E env "XDDP_SIMD=${RANK0_SIMD}" "${XDDP}")
  math(EXPR rest "${NP} - 1")
  set(distributed_cmd "${MPIEXEC}" ${preflags} -np 1 -x "XDDP_SIMD=${RANK0_SIMD}" "${XDDP}" ${args} -o "${distributed}"
      --distributed : -np ${rest} "${XDDP}" ${args} -o "${distributed}" --distributed)
endif()
execute_process(COMMAND ${single_cmd} ${args} -o "${single}"
                WORKING_DIRECTORY "${WORK_DIR}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the single-process run failed (${rc}):\n${out}\n${err}")
endif()
execute_process(COMMAND ${distributed_cmd}
                WORKING_DIRECTORY "${WORK_DIR}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the distributed run on ${NP} ranks failed (${rc}):\n${out}\n${err}")
endif()
if(DEFINED RANK0_SIMD AND NOT "${out}${err}" MATCHES "SIMD level ${RANK0_SIMD}")
  message(FATAL_ERROR "the ranks did not report the agreed SIMD level ${RANK0_SIMD}:\n${out}\n${err}")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${single}" "${distributed}" RESULT_VARIABLE differ)
if(NOT differ EQUAL 0)
  file(SIZE "${single}" a)
  file(SIZE "${distributed}" b)
  message(FATAL_ERROR "the ${NP}-rank output differs from the single-process output: ${single} (${a} bytes) "
                      "vs ${distributed} (${b} bytes)")
endif()
file(SIZE "${single}" size)
message(STATUS "identical: ${single} and ${distributed} (${size} bytes)\n${out}")
