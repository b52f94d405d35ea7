#pragma once
// FUZZ_CHECK(condition): a property the code under test must keep, checked
// in every build type (assert() vanishes under NDEBUG), aborting with the
// file, line and condition so that libFuzzer keeps the input as a crash.
// A target that names its input (fuzz_input) gets its first bytes printed
// too, escaped, so that a failure reads without a hex dump.

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace tasq::fuzz {

/// The input being checked; set by a target at the start of each run.
inline std::string_view fuzz_input;

[[noreturn]] inline void check_failed(const char* file, int line, const char* condition) {
  std::fprintf(stderr, "%s:%d: check failed: %s\n", file, line, condition);
  if (!fuzz_input.empty()) {
    std::fprintf(stderr, "input (%zu bytes): ", fuzz_input.size());
    for (char c : fuzz_input.substr(0, 512)) {
      const auto byte = static_cast<unsigned char>(c);
      if (byte >= 0x20 && byte < 0x7f && c != '\\') {
        std::fputc(c, stderr);
      } else {
        std::fprintf(stderr, "\\x%02x", byte);
      }
    }
    std::fputc('\n', stderr);
  }
  std::abort();
}

}  // namespace tasq::fuzz

#define FUZZ_CHECK(condition) \
  ((condition) ? static_cast<void>(0) : ::tasq::fuzz::check_failed(__FILE__, __LINE__, #condition))
