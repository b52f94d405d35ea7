// Config::validate: each directive against its row (bounds and check),
// then the rules that tie several directives together, then that what the
// config names on this host (users, groups, directories, the plugin) is
// there, so that --test-config catches it before a start does.

#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string_view>

#include "config_checks.h"
#include "config_directives.h"
#include "config_values.h"
#include "tasq/config/config.h"
#include "tasq/schedule/cron.h"

namespace tasq::config {
namespace {

namespace fs = std::filesystem;
using detail::format_size;
using detail::kNoMax;

class Problems {
 public:
  explicit Problems(std::vector<std::string>& lines) : lines_(lines) {}

  template <typename... Args>
  void add(std::string_view directive, fmt::format_string<Args...> format, Args&&... args) {
    lines_.push_back(fmt::format("{}: ", directive) +
                     fmt::format(format, std::forward<Args>(args)...));
  }

 private:
  std::vector<std::string>& lines_;
};

// "1024..1073741824 (1k..1g)" for a size, "1..256" otherwise.
std::string range_text(const detail::Directive& directive) {
  auto text = fmt::format("{}..{}", directive.min, directive.max);
  if (directive.number_kind == detail::NumberKind::size) {
    text += fmt::format(" ({}..{})", format_size(directive.min), format_size(directive.max));
  }
  return text;
}

std::string bound_text(const detail::Directive& directive, std::uint64_t bound) {
  if (directive.number_kind != detail::NumberKind::size) return std::to_string(bound);
  return fmt::format("{} ({})", bound, format_size(bound));
}

void check_bounds(const detail::Directive& directive, const Config& config, Problems& problems) {
  if (!directive.number) return;
  auto value = directive.number(config);
  bool below = !value || *value < directive.min;
  bool above = value && *value > directive.max;
  if (!below && !above) return;
  auto shown = directive.get(config);
  if (below && directive.max == kNoMax) {
    auto least = directive.number_kind == detail::NumberKind::size ? format_size(directive.min)
                                                                   : std::to_string(directive.min);
    problems.add(directive.name, "{} is too small: must be at least {}", shown, least);
  } else if (above && directive.min == 0) {
    problems.add(directive.name, "{} is too large: must be at most {}", shown,
                 bound_text(directive, directive.max));
  } else {
    problems.add(directive.name, "{} is out of range: must be {}", shown, range_text(directive));
  }
}

// ------------------------------------------------- rules between directives

void check_ring(const Config& config, Problems& problems) {
  const auto* package = detail::find_directive("package_max_length");
  std::uint64_t length = config.package_max_length_bytes;
  if (length < package->min || length > package->max) return;  // reported on its own
  std::uint64_t ring_min = 2 * length + kRingSlackBytes;
  if (config.ring_size_bytes < ring_min) {
    problems.add("ring_size", "{} is too small: must be at least 2 x package_max_length + {} ({})",
                 config.ring_size_bytes, format_size(kRingSlackBytes), ring_min);
  }
}

void check_heartbeat(const Config& config, Problems& problems) {
  auto interval = config.heartbeat_check_interval;
  auto idle = config.heartbeat_idle_time;
  if (interval.count() > 0 && idle < interval) {
    problems.add("heartbeat_idle_time", "{} is less than heartbeat_check_interval ({})",
                 idle.count(), interval.count());
  } else if (interval.count() == 0 && idle.count() > 0) {
    problems.add("heartbeat_idle_time", "{} has no effect while heartbeat_check_interval is 0",
                 idle.count());
  }
}

// The addresses bound besides `listen` (admin, metrics): none of the listen
// addresses, and one that is not loopback only with admin_token.
void check_side_address(const Config& config, const char* directive,
                        const std::optional<Endpoint>& address, Problems& problems) {
  if (!address) return;
  for (const auto& listen : config.listen) {
    if (detail::may_clash(*address) && detail::bind_key(*address) == detail::bind_key(listen)) {
      problems.add(directive, "{} is also a listen address", address->text);
      break;
    }
  }
  if (!address->is_loopback() && config.admin_token.empty()) {
    problems.add(directive, "{} is not a loopback address; set admin_token", address->text);
  }
}

void check_cron_payloads(const Config& config, Problems& problems) {
  for (const auto& text : config.cron) {
    auto parsed = schedule::parse_cron_line(text);
    if (parsed && parsed.value().payload.size() > config.package_max_length_bytes) {
      problems.add("cron", "'{}': the payload is longer than package_max_length ({})", text,
                   format_size(config.package_max_length_bytes));
    }
  }
}

// ------------------------------------------------------ what the host has

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
void check_parent_directory(std::string_view directive, const std::string& file,
                            Problems& problems) {
  if (file.empty()) return;
  fs::path parent = fs::path(file).parent_path();
  if (parent.empty()) return;
  std::error_code ec;
  if (!fs::is_directory(parent, ec))
    problems.add(directive, "{}: no such directory", parent.string());
}

// A plugin path names a file; echo, exec: and pipe: name none (their spelling is
// the handler row's check).
void check_plugin_file(const Config& config, Problems& problems) {
  std::string_view handler = config.handler;
  if (handler.empty() || handler == "echo" || handler.substr(0, 5) == "exec:" ||
      handler.substr(0, 5) == "pipe:") {
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
    problems.add("handler", "{}: no such plugin file (or use echo, exec:COMMAND or pipe:COMMAND)",
                 path.string());
  } else if (!fs::is_regular_file(status)) {
    problems.add("handler", "{}: not a regular file", path.string());
  }
}

void check_host(const Config& config, Problems& problems) {
  if (!config.user.empty() && !user_exists(config.user)) {
    problems.add("user", "no such user: '{}'", config.user);
  }
  if (!config.group.empty() && !group_exists(config.group)) {
    problems.add("group", "no such group: '{}'", config.group);
  }
  std::error_code ec;
  if (!config.chroot.empty() && !fs::is_directory(config.chroot, ec)) {
    problems.add("chroot", "{}: no such directory", config.chroot);
  }
  check_plugin_file(config, problems);
  check_parent_directory("pid_file", config.pid_file, problems);
  check_parent_directory("log_file", config.log_file, problems);
  if (config.journal_enabled()) check_parent_directory("journal", config.journal, problems);
  for (const auto& path : config.reload_watch) {
    if (!fs::exists(path, ec)) problems.add("reload_watch", "{}: no such file or directory", path);
  }
}

}  // namespace

namespace detail {

void check_directive(const Directive& directive, const Config& config,
                     std::vector<std::string>& lines) {
  Problems problems(lines);
  check_bounds(directive, config, problems);
  if (directive.check == nullptr) return;
  for (const auto& problem : directive.check(config)) problems.add(directive.name, "{}", problem);
}

}  // namespace detail

std::vector<std::string> Config::validate() const {
  std::vector<std::string> lines;
  for (const auto& directive : detail::directives())
    detail::check_directive(directive, *this, lines);
  Problems problems(lines);
  check_ring(*this, problems);
  check_heartbeat(*this, problems);
  check_side_address(*this, "admin", admin, problems);
  check_side_address(*this, "metrics", metrics, problems);
  check_cron_payloads(*this, problems);
  check_host(*this, problems);
  return lines;
}

}  // namespace tasq::config
