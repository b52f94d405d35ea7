// Config::validate: every bound, every rule between directives, and that
// what the config names on this host (users, groups, directories, the
// plugin) is there, so that --test-config catches it before a start does.

#include <arpa/inet.h>
#include <fmt/format.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <string_view>

#include "config_values.h"
#include "tasq/schedule/cron.h"
#include "tasq/server/config.h"

namespace tasq::server {
namespace {

using std::chrono::seconds;
namespace fs = std::filesystem;
using config_detail::format_size;

constexpr std::uint32_t kMaxWorkers = 256;
constexpr std::uint32_t kMaxRetry = 1000;
constexpr std::uint32_t kMaxConnections = 1'000'000;
constexpr std::uint32_t kMaxBacklog = 65535;
constexpr std::uint64_t kMinPackage = 1ull << 10;
constexpr std::uint64_t kMaxPackage = 1ull << 30;
constexpr std::uint64_t kMaxRing = 64ull << 30;
// A year: long enough for any real timeout, short enough that adding it to
// a clock or converting it to nanoseconds cannot overflow.
constexpr seconds kMaxSeconds{365ll * 24 * 3600};
// Linux's limits for TCP_KEEPIDLE / TCP_KEEPINTVL and TCP_KEEPCNT.
constexpr seconds kMaxKeepaliveSeconds{32767};
constexpr std::uint32_t kMaxKeepcount = 127;

class Checker {
 public:
  std::vector<std::string> problems;

  template <typename... Args>
  void fail(std::string_view directive, fmt::format_string<Args...> format, Args&&... args) {
    problems.push_back(fmt::format("{}: ", directive) +
                       fmt::format(format, std::forward<Args>(args)...));
  }

  template <typename T>
  void range(std::string_view directive, T value, T low, T high) {
    if (value < low || value > high) {
      fail(directive, "{} is out of range: must be {}..{}", value, low, high);
    }
  }

  void time(std::string_view directive, seconds value, seconds low = seconds(0),
            seconds high = kMaxSeconds) {
    range(directive, value.count(), low.count(), high.count());
  }
};

// What two endpoints bind to, comparable: the path, or the address bytes
// and port (so that [::1]:1 and [0::1]:1 are one), or the lowercased name.
std::string bind_key(const Endpoint& endpoint) {
  if (endpoint.kind == Endpoint::Kind::unix_socket) return "unix:" + endpoint.path;
  std::array<unsigned char, sizeof(in6_addr)> bytes{};
  std::string host;
  if (::inet_pton(AF_INET, endpoint.host.c_str(), bytes.data()) == 1) {
    host = "4:" + std::string(bytes.begin(), bytes.begin() + sizeof(in_addr));
  } else if (::inet_pton(AF_INET6, endpoint.host.c_str(), bytes.data()) == 1) {
    host = "6:" + std::string(bytes.begin(), bytes.end());
  } else {
    host = "name:" + endpoint.host;
    for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return host + ":" + std::to_string(endpoint.port);
}

// Port 0 asks the kernel for a free port each time, so two of them never clash.
bool may_clash(const Endpoint& endpoint) {
  return endpoint.kind == Endpoint::Kind::unix_socket || endpoint.port != 0;
}

void check_endpoints(const Config& config, Checker& check) {
  if (config.listen.empty()) check.fail("listen", "at least one address is needed");
  for (std::size_t i = 0; i < config.listen.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (may_clash(config.listen[i]) && bind_key(config.listen[i]) == bind_key(config.listen[j])) {
        check.fail("listen", "{} is given twice", config.listen[i].text);
        break;
      }
    }
  }
  if (!config.admin) return;
  const Endpoint& admin = *config.admin;
  for (const auto& listen : config.listen) {
    if (may_clash(admin) && bind_key(admin) == bind_key(listen)) {
      check.fail("admin", "{} is also a listen address", admin.text);
      break;
    }
  }
  if (!admin.is_loopback() && config.admin_token.empty()) {
    check.fail("admin", "{} is not a loopback address; set admin_token", admin.text);
  }
  // Admin datagrams are `TOKEN COMMAND`: a token with a space never matches.
  if (std::any_of(config.admin_token.begin(), config.admin_token.end(),
                  [](unsigned char c) { return std::isspace(c); })) {
    check.fail("admin_token", "must not contain spaces");
  }
}

void check_handler(const Config& config, Checker& check) {
  std::string_view handler = config.handler;
  if (handler == "echo") return;
  if (handler.empty()) {
    check.fail("handler", "empty: use echo, exec:COMMAND, pipe:COMMAND or /path/to/plugin.so");
    return;
  }
  for (std::string_view prefix : {"exec:", "pipe:"}) {
    if (handler.substr(0, prefix.size()) != prefix) continue;
    auto command = handler.substr(prefix.size());
    if (command.find_first_not_of(" \t") == std::string_view::npos) {
      check.fail("handler", "{} needs a command, as in {}php /srv/{}.php", prefix, prefix,
                 prefix == "exec:" ? "task" : "worker");
    }
    return;
  }
  // Workers chroot before they load the plugin, so its path is inside the chroot.
  fs::path path = config.handler;
  if (!config.chroot.empty() && path.is_absolute()) {
    path = fs::path(config.chroot) / path.relative_path();
  }
  std::error_code ec;
  auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    check.fail("handler", "{}: no such plugin file (or use echo, exec:COMMAND or pipe:COMMAND)",
               path.string());
  } else if (!fs::is_regular_file(status)) {
    check.fail("handler", "{}: not a regular file", path.string());
  }
}

void check_sizes(const Config& config, Checker& check) {
  std::uint64_t package = config.package_max_length_bytes;
  if (package < kMinPackage || package > kMaxPackage) {
    check.fail("package_max_length", "{} is out of range: must be {}..{} ({}..{})", package,
               kMinPackage, kMaxPackage, format_size(kMinPackage), format_size(kMaxPackage));
    return;  // the ring's bound depends on it
  }
  std::uint64_t ring_min = 2 * package + kRingSlackBytes;
  if (config.ring_size_bytes < ring_min) {
    check.fail("ring_size", "{} is too small: must be at least 2 x package_max_length + {} ({})",
               config.ring_size_bytes, format_size(kRingSlackBytes), ring_min);
  } else if (config.ring_size_bytes > kMaxRing) {
    check.fail("ring_size", "{} is too large: must be at most {} ({})", config.ring_size_bytes,
               kMaxRing, format_size(kMaxRing));
  }
}

void check_times(const Config& config, Checker& check) {
  check.time("max_wait_time", config.max_wait_time);
  check.time("task_timeout", config.task_timeout);
  check.time("pipe_start_timeout", config.pipe_start_timeout, seconds(1), seconds(3600));
  check.time("heartbeat_check_interval", config.heartbeat_check_interval);
  check.time("heartbeat_idle_time", config.heartbeat_idle_time);
  auto interval = config.heartbeat_check_interval;
  auto idle = config.heartbeat_idle_time;
  if (interval.count() > 0 && idle < interval) {
    check.fail("heartbeat_idle_time", "{} is less than heartbeat_check_interval ({})", idle.count(),
               interval.count());
  } else if (interval.count() == 0 && idle.count() > 0) {
    check.fail("heartbeat_idle_time", "{} has no effect while heartbeat_check_interval is 0",
               idle.count());
  }
  check.time("tcp_keepidle", config.tcp_keepidle, seconds(1), kMaxKeepaliveSeconds);
  check.time("tcp_keepinterval", config.tcp_keepinterval, seconds(1), kMaxKeepaliveSeconds);
}

void check_counts(const Config& config, Checker& check) {
  check.range("task_worker_num", config.task_worker_num, 1u, kMaxWorkers);
  check.range("task_retry", config.task_retry, 1u, kMaxRetry);
  check.range("max_connections", config.max_connections, 1u, kMaxConnections);
  check.range("backlog", config.backlog, 1u, kMaxBacklog);
  check.range("tcp_keepcount", config.tcp_keepcount, 1u, kMaxKeepcount);
}

bool user_exists(const std::string& name) {
  long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(size > 0 ? static_cast<std::size_t>(size) : 16384);
  passwd entry{};
  passwd* found = nullptr;
  while (::getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) == ERANGE &&
         buffer.size() < (1u << 20)) {
    buffer.resize(buffer.size() * 2);
  }
  return found != nullptr;
}

bool group_exists(const std::string& name) {
  long size = ::sysconf(_SC_GETGR_R_SIZE_MAX);
  std::vector<char> buffer(size > 0 ? static_cast<std::size_t>(size) : 16384);
  group entry{};
  group* found = nullptr;
  while (::getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) == ERANGE &&
         buffer.size() < (1u << 20)) {
    buffer.resize(buffer.size() * 2);
  }
  return found != nullptr;
}

// The file's directory must exist; the file itself is created at start.
void check_parent_directory(std::string_view directive, const std::string& file, Checker& check) {
  if (file.empty()) return;
  fs::path parent = fs::path(file).parent_path();
  if (parent.empty()) return;
  std::error_code ec;
  if (!fs::is_directory(parent, ec))
    check.fail(directive, "{}: no such directory", parent.string());
}

void check_host(const Config& config, Checker& check) {
  if (!config.user.empty() && !user_exists(config.user)) {
    check.fail("user", "no such user: '{}'", config.user);
  }
  if (!config.group.empty() && !group_exists(config.group)) {
    check.fail("group", "no such group: '{}'", config.group);
  }
  std::error_code ec;
  if (!config.chroot.empty() && !fs::is_directory(config.chroot, ec)) {
    check.fail("chroot", "{}: no such directory", config.chroot);
  }
  check_parent_directory("pid_file", config.pid_file, check);
  check_parent_directory("log_file", config.log_file, check);
}

void check_journal(const Config& config, Checker& check) {
  if (config.journal.empty()) {
    check.fail("journal", "empty: name a file, or none to turn the journal off");
    return;
  }
  constexpr std::uint64_t kMinRewrite = 1ull << 20;
  if (config.journal_rewrite_min_size_bytes < kMinRewrite) {
    check.fail("journal_rewrite_min_size", "{} is too small: must be at least {}",
               config.journal_rewrite_min_size_bytes, format_size(kMinRewrite));
  }
  if (config.journal_enabled()) check_parent_directory("journal", config.journal, check);
}

void check_reload_watch(const Config& config, Checker& check) {
  for (const auto& path : config.reload_watch) {
    std::error_code ec;
    if (!fs::exists(path, ec)) check.fail("reload_watch", "{}: no such file or directory", path);
  }
}

// Each bad line is named on its own, so that one start reports them all.
void check_cron(const Config& config, Checker& check) {
  for (const auto& text : config.cron) {
    auto parsed = schedule::parse_cron_line(text);
    if (!parsed) {
      check.fail("cron", "'{}': {}", text, parsed.error().detail);
    } else if (parsed.value().payload.size() > config.package_max_length_bytes) {
      check.fail("cron", "'{}': the payload is longer than package_max_length ({})", text,
                 format_size(config.package_max_length_bytes));
    }
  }
}

}  // namespace

std::vector<std::string> Config::validate() const {
  Checker check;
  check_journal(*this, check);
  check_reload_watch(*this, check);
  check_cron(*this, check);
  check_endpoints(*this, check);
  check_handler(*this, check);
  check_counts(*this, check);
  check_sizes(*this, check);
  check_times(*this, check);
  check_host(*this, check);
  return std::move(check.problems);
}

}  // namespace tasq::server
