# conkit_add_case(): register one shipped case as a ctest test graded by `conkit check`, and record
# it in the case manifest that `conkit list/run/verify` read. The shipped cases call it through
# conkit_add_scenario_cases() (below), which takes each case's argv from its expected file.
#
#   conkit_add_case(NAME concurrent_fetch.async SCENARIO concurrent_fetch MODEL async
#                   COMMAND $<TARGET_FILE:case_concurrent_fetch_async> --n 2
#                   EXPECT ${PROJECT_SOURCE_DIR}/expected/concurrent_fetch/async.expect
#                   [TIMING] [LABELS extra...] [TIMEOUT seconds] [CHECK_ARGS --repeat 3 ...])
#
# TIMING marks a case with time bounds: it runs serially (RUN_SERIAL) so parallel tests cannot
# steal its cores, and gets the `timing` label. Exit code 77 from `conkit check` means SKIP.
function(conkit_add_case)
  cmake_parse_arguments(PARSE_ARGV 0 arg "TIMING" "NAME;SCENARIO;MODEL;EXPECT;TIMEOUT"
                        "COMMAND;LABELS;CHECK_ARGS")
  foreach(required NAME SCENARIO MODEL EXPECT COMMAND)
    if(NOT arg_${required})
      message(FATAL_ERROR "conkit_add_case: ${required} is required")
    endif()
  endforeach()
  if(NOT EXISTS "${arg_EXPECT}")
    message(FATAL_ERROR "conkit_add_case(${arg_NAME}): no expected file ${arg_EXPECT}")
  endif()
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 120)
  endif()
  set(flavour "${CONKIT_SANITIZER}")
  if(flavour STREQUAL "none")
    set(flavour "default")
  endif()
  set(labels case ${arg_MODEL} ${arg_SCENARIO} ${flavour} ${arg_LABELS})
  if(arg_TIMING)
    list(APPEND labels timing)
  endif()

  add_test(NAME case.${arg_NAME}
    COMMAND conkit::cli check --expect "${arg_EXPECT}" --unit ${CONKIT_UNIT_MS}ms
            --sanitizer ${CONKIT_SANITIZER} --name ${arg_NAME}
            --junit "${CMAKE_BINARY_DIR}/case-reports/${arg_NAME}.xml"
            ${arg_CHECK_ARGS} -- ${arg_COMMAND})
  set_tests_properties(case.${arg_NAME} PROPERTIES
    LABELS "${labels}" SKIP_RETURN_CODE 77 TIMEOUT ${arg_TIMEOUT})
  if(arg_TIMING)
    set_tests_properties(case.${arg_NAME} PROPERTIES RUN_SERIAL TRUE)
  endif()

  # One manifest entry per case; written by conkit_write_manifest() at the end of configuration.
  string(REPLACE ";" "\",\"" argv_json "${arg_COMMAND}")
  string(REPLACE ";" "\",\"" labels_json "${labels}")
  string(REPLACE ";" "\",\"" check_args_json "${arg_CHECK_ARGS}")
  set(entry "{\"name\":\"${arg_NAME}\",\"scenario\":\"${arg_SCENARIO}\",\"model\":\"${arg_MODEL}\",\"expect\":\"${arg_EXPECT}\",\"argv\":[\"${argv_json}\"],\"check_args\":[\"${check_args_json}\"],\"labels\":[\"${labels_json}\"]}")
  string(REPLACE "[\"\"]" "[]" entry "${entry}")
  set_property(GLOBAL APPEND PROPERTY CONKIT_CASE_MANIFEST "${entry}")
endfunction()

# Writes <build>/conkit-cases.json, the list of shipped cases (generator expressions resolved).
function(conkit_write_manifest)
  get_property(entries GLOBAL PROPERTY CONKIT_CASE_MANIFEST)
  string(REPLACE ";" ",\n  " body "${entries}")
  file(GENERATE OUTPUT "${CMAKE_BINARY_DIR}/conkit-cases.json"
       CONTENT "{\"sanitizer\":\"${CONKIT_SANITIZER}\",\"unit_ms\":${CONKIT_UNIT_MS},\"cases\":[\n  ${body}\n]}\n")
endfunction()

# conkit_python_skip(<name> <reason> [labels...]): a test that reports SKIP with its reason (exit 77).
function(conkit_python_skip name reason)
  add_test(NAME case.${name} COMMAND sh -c "echo 'SKIP: ${reason}' >&2; exit 77")
  set_tests_properties(case.${name} PROPERTIES LABELS "case;python;${ARGN}" SKIP_RETURN_CODE 77)
endfunction()

# conkit_add_scenario_cases([TIMING]): registers every case of the scenario whose folder calls it:
# one per expected/<scenario>/*.expect, each run as its own `run:` header says — the one place
# that says how a case is run. The header's first word is the program: `<word>.py` is the script
# cases/<scenario>/<word>.py, run by the real interpreter (argv[0], CONKIT_PYTHON_REAL) through
# cases/common/run_case.py (argv[1]: the shared set-up and the interpreter facts), so
# `conkit run --python PATH` / CONKIT_PYTHON can put another interpreter in argv[0] of every case
# labelled `python`; any other word is the program built as target case_<scenario>_<word>
# (conkit_case_executable). The rest are its arguments. The case is named <scenario>.<file stem>
# with '-' read as '.' (threads-racy.expect: shared_counter.threads.racy); its model is the
# file's `model:`. A Python case SKIPs, with the reason, without an interpreter or in a sanitizer
# preset (the interpreter is not built with the sanitizer). TIMING: see conkit_add_case.
function(conkit_add_scenario_cases)
  cmake_parse_arguments(PARSE_ARGV 0 arg "TIMING" "" "")
  get_filename_component(scenario "${CMAKE_CURRENT_SOURCE_DIR}" NAME)
  file(GLOB expects CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/expected/${scenario}/*.expect")
  if(NOT expects)
    message(FATAL_ERROR "conkit_add_scenario_cases(${scenario}): no expected/${scenario}/*.expect")
  endif()
  set(timing)
  if(arg_TIMING)
    set(timing TIMING)
  endif()
  foreach(expect IN LISTS expects)
    get_filename_component(stem "${expect}" NAME_WE)
    string(REPLACE "-" "." name "${scenario}.${stem}")
    file(STRINGS "${expect}" model REGEX "^model:")
    file(STRINGS "${expect}" run REGEX "^run:")
    string(REGEX REPLACE "^model:[ \t]*([^ \t#]*).*" "\\1" model "${model}")
    string(REGEX REPLACE "^run:([^#]*).*" "\\1" run "${run}")
    separate_arguments(run UNIX_COMMAND "${run}")
    if(NOT model OR NOT run)
      message(FATAL_ERROR "${expect}: a shipped case needs 'model:' and 'run: PROGRAM ARGS...' headers")
    endif()
    list(POP_FRONT run program)
    if(program MATCHES "\\.py$")
      if(NOT CONKIT_PYTHON_REAL)
        conkit_python_skip(${name} "no usable Python 3 interpreter found at configure time" ${model} ${scenario})
      elseif(NOT CONKIT_SANITIZER STREQUAL "none")
        conkit_python_skip(${name}
          "Python cases run in the default preset; the interpreter is not built with ${CONKIT_SANITIZER}"
          ${model} ${scenario} ${CONKIT_SANITIZER})
      else()
        conkit_add_case(NAME ${name} SCENARIO ${scenario} MODEL ${model} ${timing} LABELS python EXPECT ${expect}
          COMMAND "${CONKIT_PYTHON_REAL}" "${PROJECT_SOURCE_DIR}/cases/common/run_case.py"
                  "${CMAKE_CURRENT_SOURCE_DIR}/${program}" ${run})
      endif()
    else()
      if(NOT TARGET case_${scenario}_${program})
        message(FATAL_ERROR "${expect}: 'run: ${program}' names no program: no target case_${scenario}_${program}")
      endif()
      conkit_add_case(NAME ${name} SCENARIO ${scenario} MODEL ${model} ${timing} EXPECT ${expect}
        COMMAND $<TARGET_FILE:case_${scenario}_${program}> ${run})
    endif()
  endforeach()
endfunction()
