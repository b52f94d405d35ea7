#pragma once
// What the tasq::config tests share: running parse_invocation on an
// argument list, a scratch directory, and assertions on problem lists.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tasq/config/config.h"

namespace tasq::config::testing_support {

/// parse_invocation on `tasqd ARGS...`.
Invocation invoke(std::vector<std::string> args);

/// A scratch directory removed with the test.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  /// Writes `text` to the file `name` in the directory; returns its path.
  std::string write(const std::string& name, const std::string& text) const;

 private:
  std::filesystem::path path_;
};

/// Exactly one problem, and it names `directive` first.
testing::AssertionResult one_problem_naming(const std::vector<std::string>& problems,
                                            const std::string& directive);

/// The value CONFIG GET shows for `name` (a test failure when there is none).
std::string value_of(const Config& config, const std::string& name);

}  // namespace tasq::config::testing_support
