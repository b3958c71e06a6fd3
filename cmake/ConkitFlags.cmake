# conkit::flags — an interface target every conkit target links: language level, warnings and the
# sanitizer chosen by CONKIT_SANITIZER. Flags live on targets, never in CMAKE_CXX_FLAGS.
add_library(conkit_flags INTERFACE)
add_library(conkit::flags ALIAS conkit_flags)
target_compile_features(conkit_flags INTERFACE cxx_std_20)
target_compile_options(conkit_flags INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wimplicit-fallthrough)

if(CONKIT_SANITIZER STREQUAL "tsan")
  target_compile_options(conkit_flags INTERFACE -fsanitize=thread -fno-omit-frame-pointer -g)
  target_link_options(conkit_flags INTERFACE -fsanitize=thread)
  # gcc's TSan warns that it does not model Asio's atomic_thread_fence; clang has no such warning.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(conkit_flags INTERFACE -Wno-tsan)
  endif()
elseif(CONKIT_SANITIZER STREQUAL "asan")
  target_compile_options(conkit_flags INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g)
  target_link_options(conkit_flags INTERFACE -fsanitize=address,undefined)
  # clang 14's -fsanitize=function cannot compile C++20 coroutines ("Cannot represent a difference
  # across sections", llvm/llvm-project#49689); the rest of UBSan stays on.
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    target_compile_options(conkit_flags INTERFACE -fno-sanitize=function)
  endif()
elseif(NOT CONKIT_SANITIZER STREQUAL "none")
  message(FATAL_ERROR "CONKIT_SANITIZER must be none, tsan or asan (got '${CONKIT_SANITIZER}')")
endif()
