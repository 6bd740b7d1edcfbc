# -DCODESSM_BUILD_FUZZERS=ON: a clang build in which every module is compiled with libFuzzer coverage
# (-fsanitize=fuzzer-no-link) plus AddressSanitizer and UndefinedBehaviorSanitizer, and fuzz/ adds one
# libFuzzer binary per target (fuzz/run.sh drives them). Use a build folder of its own (build-fuzz/).
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "CODESSM_BUILD_FUZZERS needs clang (libFuzzer): configure with "
                      "-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ (Debian: clang, libclang-rt-14-dev)")
endif()
set(CODESSM_SANITIZE "-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g")
string(APPEND CMAKE_C_FLAGS " -fsanitize=fuzzer-no-link ${CODESSM_SANITIZE}")
string(APPEND CMAKE_CXX_FLAGS " -fsanitize=fuzzer-no-link ${CODESSM_SANITIZE}")
string(APPEND CMAKE_EXE_LINKER_FLAGS " ${CODESSM_SANITIZE}")
string(APPEND CMAKE_SHARED_LINKER_FLAGS " ${CODESSM_SANITIZE}")
string(APPEND CMAKE_MODULE_LINKER_FLAGS " ${CODESSM_SANITIZE}")
