# package.deb — builds the .deb from this build (cpack -G DEB), unpacks it into a scratch root
# (dpkg -x, as a fresh machine would have it under /usr), and runs the unpacked `conkit list` and
# one shipped case from there, with no build or source tree path in reach:
#   cmake -DCONKIT_BUILD=<build dir> -DCONKIT_SOURCE=<source dir> -DWORK=<scratch dir>
#         -DCASE=<case name> -P deb_test.cmake
cmake_minimum_required(VERSION 3.25)

function(step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "package.deb: ${what} failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK}")
step("cpack" cpack --config "${CONKIT_BUILD}/CPackConfig.cmake" -G DEB -B "${WORK}/out")
file(GLOB debs "${WORK}/out/conkit_*.deb")
list(LENGTH debs n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "package.deb: expected one conkit_*.deb in ${WORK}/out, found ${n}: ${debs}")
endif()

# What the package must hold: CLI, library, headers, CMake package, cases, expected files, registry, docs.
step("dpkg-deb --contents" dpkg-deb --contents "${debs}")
foreach(path ./usr/bin/conkit ./usr/bin/conkit-init ./usr/bin/conkit_conformance_worker ./usr/lib/libconkit_harness.a
             ./usr/include/conkit/run.hpp ./usr/include/conkit/conformance/thread_pool_suite.hpp
             ./usr/lib/cmake/conkit/conkitConfig.cmake ./usr/share/conkit/conkit-cases.json
             ./usr/share/conkit/expected/claims.json ./usr/lib/conkit/cases/ ./usr/share/doc/conkit/executor-contracts.md)
  string(FIND "${step_output}" " ${path}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "package.deb: the package has no ${path}:\n${step_output}")
  endif()
endforeach()

set(root "${WORK}/root")
step("dpkg -x" dpkg -x "${debs}" "${root}")
# No build-tree path in the CLI's defaults, nor in the installed manifest.
file(STRINGS "${root}/usr/bin/conkit" baked REGEX "conkit-cases\\.json|expected/claims\\.json")
foreach(s IN LISTS baked)
  if(s MATCHES "${CONKIT_BUILD}|${CONKIT_SOURCE}")
    message(FATAL_ERROR "package.deb: the CLI names a build or source path: ${s}")
  endif()
endforeach()
file(READ "${root}/usr/share/conkit/conkit-cases.json" manifest)
if(manifest MATCHES "${CONKIT_BUILD}|${CONKIT_SOURCE}")
  message(FATAL_ERROR "package.deb: the installed manifest names a build or source path")
endif()

# Run from the scratch root with nothing pointing back: no manifest override, cwd outside the trees.
set(clean_env "${CMAKE_COMMAND}" -E env --unset=CONKIT_MANIFEST --unset=CONKIT_REGISTRY)
execute_process(COMMAND ${clean_env} "${root}/usr/bin/conkit" list WORKING_DIRECTORY "${WORK}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE listing ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT listing MATCHES "${CASE}")
  message(FATAL_ERROR "package.deb: the unpacked `conkit list` failed (${rc}) or lacks ${CASE}:\n${listing}\n${err}")
endif()
execute_process(COMMAND ${clean_env} "${root}/usr/bin/conkit" run "${CASE}" WORKING_DIRECTORY "${WORK}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "package.deb: the unpacked `conkit run ${CASE}` failed (${rc}):\n${out}\n${err}")
endif()
message(STATUS "package.deb: ${debs} unpacked; `conkit list` and `conkit run ${CASE}` ran from ${root}:\n${out}")
