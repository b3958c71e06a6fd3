# cmake -P script behind the fuzz.expect_parser test: builds a fresh corpus in WORK from SEEDS and
# every *.expect under EXPECTED, runs FUZZER for SECONDS, and fails if it found anything.
foreach(var FUZZER SEEDS EXPECTED DICT WORK SECONDS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_fuzz.cmake: -D${var}=... is required")
  endif()
endforeach()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/corpus" "${WORK}/artifacts")
file(GLOB seeds "${SEEDS}/*")
file(COPY ${seeds} DESTINATION "${WORK}/corpus")
# Shipped files share names (async.expect in many scenarios): name the copies by their path.
file(GLOB_RECURSE shipped RELATIVE "${EXPECTED}" "${EXPECTED}/*.expect")
foreach(rel IN LISTS shipped)
  string(REPLACE "/" "__" flat "${rel}")
  configure_file("${EXPECTED}/${rel}" "${WORK}/corpus/shipped__${flat}" COPYONLY)
endforeach()
list(LENGTH shipped n_shipped)
message(STATUS "corpus: seeds from ${SEEDS} and ${n_shipped} shipped expected files")

# -timeout: any single input taking 5 s is a hang; the parser needs microseconds.
execute_process(
  COMMAND "${FUZZER}" -max_total_time=${SECONDS} -rss_limit_mb=2048 -timeout=5
          -dict=${DICT} -artifact_prefix=${WORK}/artifacts/ -print_final_stats=1
          "${WORK}/corpus"
  WORKING_DIRECTORY "${WORK}"
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the parser fuzzer found a problem (exit ${rc}); the input is in ${WORK}/artifacts")
endif()
