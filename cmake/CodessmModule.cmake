# codessm_add_module(NAME <m> SOURCES <files...> DEPS <other modules...> LIBS <external targets...>)
# Creates the static library codessm_<m> with the public include dir, and records the module so that
# tests/<m>/*_test.cpp become the test executable codessm_<m>_tests.
set(CODESSM_BUILT_MODULES "" CACHE INTERNAL "")
set(CODESSM_WARNINGS -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare)

function(codessm_add_module)
  cmake_parse_arguments(M "" "NAME" "SOURCES;DEPS;LIBS" ${ARGN})
  add_library(codessm_${M_NAME} STATIC ${M_SOURCES})
  target_include_directories(codessm_${M_NAME} PUBLIC ${PROJECT_SOURCE_DIR}/include PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(codessm_${M_NAME} PRIVATE ${CODESSM_WARNINGS})
  foreach(d ${M_DEPS})
    target_link_libraries(codessm_${M_NAME} PUBLIC codessm_${d})
  endforeach()
  target_link_libraries(codessm_${M_NAME} PUBLIC ${M_LIBS})
  set(CODESSM_BUILT_MODULES ${CODESSM_BUILT_MODULES} ${M_NAME} CACHE INTERNAL "")
endfunction()

# Precompiled LibTorch header for targets that include it (saves ~60% of build time on 2 cores).
function(codessm_torch_pch target)
  target_precompile_headers(${target} PRIVATE <torch/torch.h>)
endfunction()
