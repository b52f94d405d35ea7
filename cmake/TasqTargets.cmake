# Settings every tasq target shares: the language level, warnings, and the
# optional sanitizers. Per target, not global, so that third-party code pulled
# in by find_package is not compiled under our warning flags.

# The warnings of every target, C and C++. The C++-only ones are kept from C
# sources, where gcc would print a note about each of them on every file.
function(tasq_target_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wcast-align -Wdouble-promotion -Wformat=2
    -Wimplicit-fallthrough
    $<$<COMPILE_LANGUAGE:CXX>:-Wnon-virtual-dtor -Wold-style-cast>)
  if(TASQ_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

function(tasq_target_defaults target)
  target_compile_features(${target} PUBLIC cxx_std_20)
  set_target_properties(${target} PROPERTIES CXX_EXTENSIONS OFF C_STANDARD 11 C_STANDARD_REQUIRED ON)
  tasq_target_warnings(${target})
endfunction()

# tasq_add_plugin(NAME SOURCE [DEFINITIONS DEF...])
# A handler plugin: a MODULE library (for dlopen, never linked against) built
# from one C source against the tree's tasq/handler.h, the way plugin authors
# are told to build theirs (examples/plugin/). C99, the oldest standard the
# ABI header promises, so that nothing newer slips into the header unnoticed;
# hidden visibility, so that only what tasq/handler.h exports leaves the
# library. DEFINITIONS builds variants of one source.
function(tasq_add_plugin name source)
  cmake_parse_arguments(ARG "" "" "DEFINITIONS" ${ARGN})
  add_library(${name} MODULE ${source})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/taskpool/include)
  set_target_properties(${name} PROPERTIES
    C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF C_VISIBILITY_PRESET hidden)
  target_compile_definitions(${name} PRIVATE ${ARG_DEFINITIONS})
  tasq_target_warnings(${name})
endfunction()

# Sanitizers apply to everything we build, including test binaries, so they
# are set directory-wide before any target is declared.
if(TASQ_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
