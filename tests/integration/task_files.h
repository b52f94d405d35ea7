#pragma once
// Tasks that leave evidence: an `exec:` handler that writes each payload to
// a file named after the task id, so a test can account for every task.

#include <filesystem>
#include <map>
#include <string>

#include "tasqd_process.h"

namespace tasq::test {

struct TaskFiles {
  explicit TaskFiles(const std::string& name) : dir(make_temp_dir(name)) {}

  /// The handler directive: `cat` the payload into DIR/<id>.<queue>.<attempt>,
  /// through a hidden temporary and a rename, so that a file that exists is
  /// complete.
  [[nodiscard]] std::string handler(const std::string& before = "") const {
    std::string tmp = dir + "/.$TASQ_TASK_ID.$TASQ_ATTEMPT";
    return "exec:" + before + "cat > " + tmp + " && mv " + tmp + " " + dir +
           "/$TASQ_TASK_ID.$TASQ_QUEUE.$TASQ_ATTEMPT";
  }

  /// id -> payload of every task that ran (the last attempt's).
  [[nodiscard]] std::map<long long, std::string> ran() const {
    std::map<long long, std::string> result;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      auto name = entry.path().filename().string();
      if (name.front() == '.') continue;
      result[std::stoll(name.substr(0, name.find('.')))] = read_file(entry.path());
    }
    return result;
  }

  [[nodiscard]] std::size_t count() const {
    std::size_t n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().filename().string().front() != '.') ++n;
    }
    return n;
  }

  std::string dir;
};

}  // namespace tasq::test
