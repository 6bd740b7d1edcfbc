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

# LibTorch's CMake targets force libtorch and libtorch_cpu onto every link with -Wl,--no-as-needed (for
# operator registration in builds whose code references no symbol of a CUDA library). A fuzz target that uses no
# LibTorch symbol (the tokenizer readers) would still load libtorch_cpu and with it the system libprotobuf, whose
# exported symbols capture the protobuf copy bundled in Debian's libsentencepiece (version check abort on the first
# input). The shim cannot isolate itself with RTLD_DEEPBIND under ASan (src/data/spm_library.cpp), so here the
# libraries are linked as needed: a target that references LibTorch still gets it (and its registrations, which live
# in libtorch_cpu itself).
foreach(_t torch_cpu_library torch_library)
  if(TARGET ${_t})
    get_target_property(_libs ${_t} INTERFACE_LINK_LIBRARIES)
    list(TRANSFORM _libs REPLACE "^-Wl,--no-as-needed,\"([^\"]+)\" -Wl,--as-needed$" "\\1")
    set_target_properties(${_t} PROPERTIES INTERFACE_LINK_LIBRARIES "${_libs}")
  endif()
endforeach()
