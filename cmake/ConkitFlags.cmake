# conkit::flags — an interface target every conkit target links: language level, warnings and the
# sanitizer chosen by CONKIT_SANITIZER. Flags live on targets, never in CMAKE_CXX_FLAGS.
add_library(conkit_flags INTERFACE)
add_library(conkit::flags ALIAS conkit_flags)
target_compile_features(conkit_flags INTERFACE cxx_std_20)
target_compile_options(conkit_flags INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wimplicit-fallthrough)

# The sanitizer's flags, defined here only: conkit::flags carries them, and tests/conformance hands
# them to the outside project it builds (examples/thread_pool through find_package) as a string.
set(CONKIT_SANITIZER_COMPILE_FLAGS)
# A sanitizer report needs file:line in its stack, i.e. line tables, not full debug info: full -g
# made the sanitizer legs' template-heavy tests about a sixth slower to compile.
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  set(conkit_line_tables -gline-tables-only)
else()
  set(conkit_line_tables -g1)
endif()
set(CONKIT_SANITIZER_LINK_FLAGS)
if(CONKIT_SANITIZER STREQUAL "tsan")
  set(CONKIT_SANITIZER_COMPILE_FLAGS -fsanitize=thread -fno-omit-frame-pointer ${conkit_line_tables})
  set(CONKIT_SANITIZER_LINK_FLAGS -fsanitize=thread)
  # gcc's TSan warns that it does not model Asio's atomic_thread_fence; clang has no such warning.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(conkit_flags INTERFACE -Wno-tsan)
  endif()
elseif(CONKIT_SANITIZER STREQUAL "asan")
  set(CONKIT_SANITIZER_COMPILE_FLAGS
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer ${conkit_line_tables})
  set(CONKIT_SANITIZER_LINK_FLAGS -fsanitize=address,undefined)
  # clang 14's -fsanitize=function cannot compile C++20 coroutines ("Cannot represent a difference
  # across sections", llvm/llvm-project#49689); the rest of UBSan stays on.
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    list(APPEND CONKIT_SANITIZER_COMPILE_FLAGS -fno-sanitize=function)
  endif()
  # UBSan's vptr check probes memory through a pipe it opens without O_CLOEXEC (compiler-rt 14's
  # IsAccessibleMemoryRange, on each dynamic-type cache miss). In a process that spawns children
  # from several threads that pipe leaks into a child started at the same moment, and the process
  # pool suite's NoFdLeakedIntoChildren, which exists to catch such leaks, saw it (1 run in 6 here;
  # strace -f -k showed the pipe2(..., 0) under __ubsan::checkDynamicType).
  list(APPEND CONKIT_SANITIZER_COMPILE_FLAGS -fno-sanitize=vptr)
elseif(NOT CONKIT_SANITIZER STREQUAL "none")
  message(FATAL_ERROR "CONKIT_SANITIZER must be none, tsan or asan (got '${CONKIT_SANITIZER}')")
endif()
target_compile_options(conkit_flags INTERFACE ${CONKIT_SANITIZER_COMPILE_FLAGS})
target_link_options(conkit_flags INTERFACE ${CONKIT_SANITIZER_LINK_FLAGS})
