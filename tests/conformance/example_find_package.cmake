# example.find_package — installs this build of conkit into a scratch prefix, then configures, builds
# and tests examples/thread_pool against it as an outside project would (find_package(conkit)).
#   cmake -DCONKIT_BUILD=<build dir> -DEXAMPLE=<examples/thread_pool> -DWORK=<scratch dir>
#         -DCXX=<compiler> -DBUILD_TYPE=<type> -DSANITIZER_FLAGS=<flags> -DGENERATOR=<gen> -P this
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
step("configure" "${CMAKE_COMMAND}" -S "${EXAMPLE}" -B "${WORK}/build" -G "${GENERATOR}"
     "-DCMAKE_PREFIX_PATH=${prefix}" "-DCMAKE_CXX_COMPILER=${CXX}" "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
     "-DCMAKE_CXX_FLAGS=${SANITIZER_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${SANITIZER_FLAGS}")
step("build" "${CMAKE_COMMAND}" --build "${WORK}/build" -j 2)
step("ctest" "${CMAKE_CTEST_COMMAND}" --test-dir "${WORK}/build" --output-on-failure --no-tests=error
     -L conformance)
