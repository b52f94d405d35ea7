#include "config_test_support.h"

#include <stdlib.h>

#include <fstream>
#include <stdexcept>

namespace tasq::config::testing_support {

namespace fs = std::filesystem;

Invocation invoke(std::vector<std::string> args) {
  args.insert(args.begin(), "tasqd");
  std::vector<const char*> argv;
  for (const auto& arg : args) argv.push_back(arg.c_str());
  argv.push_back(nullptr);
  return parse_invocation(static_cast<int>(args.size()), argv.data());
}

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "tasq-config-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& name, const std::string& text) const {
  auto file = path_ / name;
  std::ofstream(file, std::ios::binary) << text;
  return file.string();
}

testing::AssertionResult one_problem_naming(const std::vector<std::string>& problems,
                                            const std::string& directive) {
  std::string all;
  for (const auto& line : problems) all += "\n  " + line;
  if (problems.size() != 1) {
    return testing::AssertionFailure() << problems.size() << " problems:" << all;
  }
  if (problems[0].rfind(directive + ": ", 0) != 0) {
    return testing::AssertionFailure() << "does not start with '" << directive << ": '" << all;
  }
  return testing::AssertionSuccess();
}

std::string value_of(const Config& config, const std::string& name) {
  for (auto& [key, value] : directive_values(config)) {
    if (key == name) return value;
  }
  ADD_FAILURE() << "no directive " << name;
  return {};
}

}  // namespace tasq::config::testing_support
