// Run under Valgrind's memcheck by ctest (see CMakeLists.txt): the secret's
// bytes and its length are marked undefined, so memcheck reports any branch
// or memory address that depends on them, the way ctgrind checks code for
// constant time. A plain comparison is checked first and must be reported,
// so that a memcheck that sees nothing cannot pass this test.
//
// Exit: 0 when Secret::matches() depends on neither, 1 otherwise, 2 when not
// run under Valgrind.

#include <valgrind/memcheck.h>
#include <valgrind/valgrind.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "tasq/access/secret.h"

namespace {

// The comparison tasq used before: an early exit on the length, then on the
// first differing byte.
bool naive_equal(std::string_view given, std::string_view secret) { return given == secret; }

// A secret whose bytes, and whose length, memcheck treats as unknown.
std::string_view poisoned(std::string& storage, std::size_t& length) {
  VALGRIND_MAKE_MEM_UNDEFINED(storage.data(), storage.size());
  length = storage.size();
  VALGRIND_MAKE_MEM_UNDEFINED(&length, sizeof length);
  return {storage.data(), length};
}

unsigned long errors_now() { return VALGRIND_COUNT_ERRORS; }

}  // namespace

int main() {
  if (RUNNING_ON_VALGRIND == 0) {
    std::fprintf(stderr, "secret_timing_check: run me under valgrind\n");
    return 2;
  }
  const char* given_values[] = {"hunter2", "hunter3", "x", "a much longer guess than the secret"};

  // 1. The naive comparison must be caught, or this check proves nothing.
  {
    std::string storage = "hunter2";
    std::size_t length = 0;
    std::string_view secret = poisoned(storage, length);
    const unsigned long before = errors_now();
    for (const char* given : given_values) {
      volatile bool result = naive_equal(given, secret);
      (void)result;
    }
    if (errors_now() == before) {
      std::fprintf(stderr, "secret_timing_check: memcheck saw nothing in a naive comparison\n");
      return 1;
    }
  }

  // 2. Secret::matches() must not be caught, whatever is given.
  std::string storage = "hunter2";
  std::size_t length = 0;
  std::string_view secret_text = poisoned(storage, length);
  tasq::access::Secret secret(secret_text);
  const unsigned long before = errors_now();
  bool any = false;
  for (const char* given : given_values) {
    bool result = secret.matches(given);
    // The answer itself may be known: only how it was reached may not depend on the secret.
    VALGRIND_MAKE_MEM_DEFINED(&result, sizeof result);
    any = any || result;
  }
  const unsigned long caught = errors_now() - before;
  if (caught != 0) {
    std::fprintf(stderr, "secret_timing_check: %lu secret-dependent branch(es) or address(es)\n",
                 caught);
    return 1;
  }
  VALGRIND_MAKE_MEM_DEFINED(storage.data(), storage.size());
  if (!any || !tasq::access::Secret("hunter2").matches("hunter2")) {
    std::fprintf(stderr, "secret_timing_check: the right secret did not match\n");
    return 1;
  }
  return 0;
}
