# example.find_package — installs this build's conformance kit into a scratch prefix, then
# configures, builds and tests the example projects (examples/, all three in one configure)
# against it as an outside project would (find_package(conkit COMPONENTS conformance)).
#   cmake -DCONKIT_BUILD=<build dir> -DEXAMPLES=<examples/> -DWORK=<scratch dir> -DCXX=<compiler>
#         [-DLAUNCHER=<ccache>] -DBUILD_TYPE=<type> -DBUILD_TYPE_FLAGS=<its flags> -DSANITIZER_FLAGS=<flags>
#         -DGENERATOR=<gen> -P this
cmake_minimum_required(VERSION 3.25)

function(step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "example.find_package: ${what} failed (${rc}): ${ARGN}")
  endif()
endfunction()

file(REMOVE_RECURSE "${WORK}")
set(prefix "${WORK}/prefix")
step("install" "${CMAKE_COMMAND}" --install "${CONKIT_BUILD}" --prefix "${prefix}" --component conkit_conformance)
# conkit_add_executor's own rules, configure only (cheap): a project without enable_testing() gets
# the warning, and an ADAPTER_TYPE with a comma reaches the generated file through an alias, with
# the concept static_asserted first.
set(bare "${WORK}/bare")
file(MAKE_DIRECTORY "${bare}")
file(COPY "${EXAMPLES}/thread_pool/my_pool.hpp" "${EXAMPLES}/thread_pool/my_pool_adapter.hpp" DESTINATION "${bare}")
file(WRITE "${bare}/CMakeLists.txt" [[
cmake_minimum_required(VERSION 3.25)
project(bare LANGUAGES CXX)
find_package(conkit 0.1 REQUIRED COMPONENTS conformance)
conkit_add_executor(NAME my_pool MODEL threads ADAPTER my_pool_adapter.hpp
                    ADAPTER_TYPE "std::conditional_t<true, my_pool_adapter, int>")
]])
execute_process(COMMAND "${CMAKE_COMMAND}" -S "${bare}" -B "${bare}/build" -G "${GENERATOR}"
                "-DCMAKE_PREFIX_PATH=${prefix}" "-DCMAKE_CXX_COMPILER=${CXX}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT err MATCHES "testing is not enabled")
  message(FATAL_ERROR "example.find_package: no warning for a project without enable_testing() (${rc}):\n${out}\n${err}")
endif()
file(READ "${bare}/build/conkit_executor_my_pool.cpp" generated)
if(NOT generated MATCHES "using conkit_adapter_my_pool = std::conditional_t<true, my_pool_adapter, int>;"
   OR NOT generated MATCHES "static_assert\\(ThreadPoolAdapter<conkit_adapter_my_pool>")
  message(FATAL_ERROR "example.find_package: the generated file lacks the alias or the static_assert:\n${generated}")
endif()

set(type_flags "")
if(BUILD_TYPE)
  string(TOUPPER "${BUILD_TYPE}" build_type)
  set(type_flags "-DCMAKE_CXX_FLAGS_${build_type}=${BUILD_TYPE_FLAGS}")
endif()
set(launcher "")
if(LAUNCHER)
  set(launcher "-DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER}")
endif()
step("configure" "${CMAKE_COMMAND}" -S "${EXAMPLES}" -B "${WORK}/build" -G "${GENERATOR}" --warn-uninitialized
     "-DCMAKE_PREFIX_PATH=${prefix}" "-DCMAKE_CXX_COMPILER=${CXX}" ${launcher} "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}" ${type_flags}
     "-DCMAKE_CXX_FLAGS=${SANITIZER_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${SANITIZER_FLAGS}")
step("build" "${CMAKE_COMMAND}" --build "${WORK}/build" -j 2)
# Each example's own label, anchored (a label is a regex: ^my_pool$ does not pick my_process_pool).
foreach(label my_pool my_loop my_process_pool)
  step("ctest ${label}" "${CMAKE_CTEST_COMMAND}" --test-dir "${WORK}/build" --output-on-failure --no-tests=error
       -L "^${label}$")
endforeach()
