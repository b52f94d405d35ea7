#include "descendants.h"

#include <dirent.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace tasq::taskpool {
namespace {

std::optional<long> parse_number(std::string_view text) {
  long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The names of /proc/self/task or /proc: numeric entries only.
std::vector<long> numeric_entries(const char* path) {
  std::vector<long> out;
  DIR* dir = ::opendir(path);
  if (dir == nullptr) return out;
  while (const dirent* entry = ::readdir(dir)) {
    if (auto n = parse_number(entry->d_name)) out.push_back(*n);
  }
  ::closedir(dir);
  return out;
}

struct Stat {
  char state;
  pid_t ppid;
  pid_t pgid;
};

/// Fields 3 to 5 of /proc/PID/stat; the command name before them may hold
/// spaces and parentheses, so parsing starts after its last ')'.
std::optional<Stat> read_stat(pid_t pid) {
  const std::string text = read_text("/proc/" + std::to_string(pid) + "/stat");
  const std::size_t paren = text.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream rest(text.substr(paren + 1));
  char state = 0;
  long ppid = 0, pgid = 0;
  if (!(rest >> state >> ppid >> pgid)) return std::nullopt;
  return Stat{state, static_cast<pid_t>(ppid), static_cast<pid_t>(pgid)};
}

std::vector<pid_t> children_by_scan() {
  std::vector<pid_t> out;
  const pid_t self = ::getpid();
  for (long pid : numeric_entries("/proc")) {
    const auto stat = read_stat(static_cast<pid_t>(pid));
    if (stat && stat->ppid == self) out.push_back(static_cast<pid_t>(pid));
  }
  return out;
}

}  // namespace

bool become_subreaper() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    spdlog::error(
        "prctl(PR_SET_CHILD_SUBREAPER) so that a dead worker's commands can be killed: {}",
        std::strerror(errno));
    return false;
  }
  return true;
}

std::vector<pid_t> list_children() {
  // A reparented orphan hangs under one of this process's threads.
  std::vector<pid_t> out;
  bool listed = false;
  for (long tid : numeric_entries("/proc/self/task")) {
    std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/children");
    if (!in) continue;
    listed = true;
    long pid = 0;
    while (in >> pid) out.push_back(static_cast<pid_t>(pid));
  }
  return listed ? out : children_by_scan();
}

bool kill_child_and_group(pid_t pid) {
  const auto stat = read_stat(pid);
  if (!stat || stat->ppid != ::getpid() || stat->state == 'Z') return false;
  // A group id is a pid too: while its leader is our unreaped child, no other
  // group can carry it. A process that joined some other group (this
  // process's own, say) is killed alone.
  const pid_t target = stat->pgid == pid ? -pid : pid;
  if (::kill(target, SIGKILL) != 0 && errno != ESRCH) {
    spdlog::error("kill({}, SIGKILL) of a process a task worker left behind: {}", target,
                  std::strerror(errno));
    return false;
  }
  return true;
}

}  // namespace tasq::taskpool
