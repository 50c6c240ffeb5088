# Compiler warnings and the sanitizer/fuzzer builds, set once for every
# target of the tree (core, plugins, tests). Included by the top-level
# CMakeLists.txt before any target is defined.

option(KUBECERT_WERROR "Turn compiler warnings into errors (CI)" OFF)
option(KUBECERT_SANITIZE "Build everything with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(KUBECERT_FUZZ "Build the libFuzzer harnesses in fuzz/ (clang only; implies the sanitizers)" OFF)

# What both gcc 12 and clang 14 pass on this code base.
add_compile_options(-Wall -Wextra -Wpedantic)
if(KUBECERT_WERROR)
  add_compile_options(-Werror)
endif()

if(KUBECERT_FUZZ AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "KUBECERT_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang")
endif()

if(KUBECERT_SANITIZE OR KUBECERT_FUZZ)
  set(KUBECERT_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_compile_options(${KUBECERT_SANITIZER_FLAGS})
  # Only executables get the runtime (clang links it statically into them);
  # the dlopened plugins resolve the sanitizer symbols from the executable.
  add_link_options(${KUBECERT_SANITIZER_FLAGS})
endif()

if(KUBECERT_FUZZ)
  # Coverage feedback from every library the harnesses call into; only the
  # harnesses themselves link libFuzzer's main (fuzz/CMakeLists.txt).
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

# A test program's own code (GoogleTest and the test bodies) compiles at -O0 under the
# sanitizers: half the compile time of -O1, and most of that build's time. The code under test
# (the libraries, kubecert, the plugins) keeps the build's -O1: after CMAKE_CXX_FLAGS, this wins
# only for the target's own files.
function(kubecert_test_program target)
  if(KUBECERT_SANITIZE OR KUBECERT_FUZZ)
    target_compile_options(${target} PRIVATE -O0)
  endif()
endfunction()
