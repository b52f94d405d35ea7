#pragma once
// FUZZ_CHECK(condition): a property the code under test must keep, checked
// in every build type (assert() vanishes under NDEBUG), aborting with the
// file, line and condition so that libFuzzer keeps the input as a crash.

#include <cstdio>
#include <cstdlib>

namespace tasq::fuzz {

[[noreturn]] inline void check_failed(const char* file, int line, const char* condition) {
  std::fprintf(stderr, "%s:%d: check failed: %s\n", file, line, condition);
  std::abort();
}

}  // namespace tasq::fuzz

#define FUZZ_CHECK(condition) \
  ((condition) ? static_cast<void>(0) : ::tasq::fuzz::check_failed(__FILE__, __LINE__, #condition))
