#pragma once
// Helpers of the pipe: integration tests: the test co-process's command,
// its evidence files, and what a process looks like from /proc.

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "redis_client.h"
#include "tasqd_process.h"

namespace tasq::test {

/// The test co-process (tests/taskpool/pipe_test_worker.py) as a handler.
inline std::string pipe_test_worker(
    const std::string& args = "",
    const std::string& script = std::string(TASQ_SOURCE_DIR) +
                                "/tests/taskpool/pipe_test_worker.py") {
  return "pipe:python3 " + script + (args.empty() ? "" : " " + args);
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

inline int count_of(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

/// What the test co-process wrote for one task it answered with DONE.
struct Evidence {
  std::string queue;
  int attempt = 0;
  std::string version;
  int pid = 0;
  std::string result;
};

/// The evidence directory of `--evidence DIR`: task id -> what ran.
struct EvidenceDir {
  explicit EvidenceDir(const std::string& name) : dir(make_temp_dir(name)) {}

  /// id -> evidence; a task answered twice would show as two attempts.
  [[nodiscard]] std::multimap<long long, Evidence> tasks() const {
    std::multimap<long long, Evidence> out;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      const std::string name = entry.path().filename().string();
      if (name.front() == '.') continue;  // temporaries and .stop.PID
      const auto first = name.find('.'), last = name.rfind('.');
      Evidence evidence;
      evidence.queue = name.substr(first + 1, last - first - 1);
      evidence.attempt = std::stoi(name.substr(last + 1));
      std::istringstream text(read_text(entry.path().string()));
      text >> evidence.version >> evidence.pid;
      text.get();
      std::getline(text, evidence.result, '\0');
      out.emplace(std::stoll(name.substr(0, first)), evidence);
    }
    return out;
  }

  [[nodiscard]] std::size_t count() const { return tasks().size(); }

  /// Pids of the co-processes that were sent STOP.
  [[nodiscard]] std::set<int> stopped() const {
    std::set<int> pids;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind(".stop.", 0) == 0) pids.insert(std::stoi(name.substr(6)));
    }
    return pids;
  }

  std::string dir;
};

/// Alive and not a zombie.
inline bool process_alive(int pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return false;
  const auto close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] != 'Z';
}

/// CPU time (user + system) a process has used, in clock ticks; -1 when gone.
inline long cpu_ticks(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return -1;
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  return utime + stime;
}

/// The task workers' pids, from INFO workers.
inline std::vector<int> worker_pids(RedisClient& client) {
  const std::string info = client.command({"INFO", "workers"}).str;
  std::vector<int> pids;
  for (auto at = info.find(":pid="); at != std::string::npos; at = info.find(":pid=", at)) {
    at += 5;
    pids.push_back(std::stoi(info.substr(at)));
  }
  return pids;
}

}  // namespace tasq::test
