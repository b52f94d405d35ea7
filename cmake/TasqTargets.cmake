# Settings every tasq target shares: the language level, warnings, and the
# optional sanitizers. Per target, not global, so that third-party code pulled
# in by find_package is not compiled under our warning flags.
function(tasq_target_defaults target)
  target_compile_features(${target} PUBLIC cxx_std_20)
  set_target_properties(${target} PROPERTIES CXX_EXTENSIONS OFF C_STANDARD 11 C_STANDARD_REQUIRED ON)
  # The C++-only warnings are kept from C sources (the benchmark's C programs),
  # where gcc would print a note about each of them on every file.
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wcast-align -Wdouble-promotion -Wformat=2
    -Wimplicit-fallthrough
    $<$<COMPILE_LANGUAGE:CXX>:-Wnon-virtual-dtor -Wold-style-cast>)
  if(TASQ_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# Sanitizers apply to everything we build, including test binaries, so they
# are set directory-wide before any target is declared.
if(TASQ_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
