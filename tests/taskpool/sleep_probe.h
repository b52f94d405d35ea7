#pragma once
// Finding the processes a command started, by their command line: each test
// sleeps for a duration of its own, so `sleep NAP` names them.

#include <unistd.h>

#include <filesystem>
#include <string>

#include "tasq/test/files.h"

namespace tasq::taskpool::testing {

/// A sleep duration of `seconds` unique to this test process and `tag`.
inline std::string unique_nap(int seconds, int tag) {
  return std::to_string(seconds) + "." + std::to_string(::getpid()) + std::to_string(tag);
}

/// Live processes running `sleep NAP`. A zombie counts as gone: it has been
/// killed, and reaping an orphan is its new parent's business.
inline int live_sleeps(const std::string& nap) {
  const std::string cmdline = "sleep" + std::string(1, '\0') + nap + std::string(1, '\0');
  int count = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (test::read_file(entry.path() / "cmdline") != cmdline) continue;
    const std::string stat = test::read_file(entry.path() / "stat");
    const std::size_t paren = stat.rfind(')');
    if (paren == std::string::npos || paren + 2 >= stat.size()) continue;  // exited meanwhile
    const char state = stat[paren + 2];
    if (state != 'Z' && state != 'X') ++count;
  }
  return count;
}

}  // namespace tasq::taskpool::testing
