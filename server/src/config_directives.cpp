#include "config_directives.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>
#include <limits>

#include "config_values.h"

namespace tasq::server::config_detail {
namespace {

using std::chrono::seconds;

// Readers and writers per field type, instantiated for each member.

template <std::uint64_t Config::*Field>
std::string set_size(Config& config, const std::string& value) {
  auto bytes = parse_size(value);
  if (!bytes) return "not a size (bytes, or a number with k, m or g)";
  config.*Field = *bytes;
  return {};
}

template <std::uint64_t Config::*Field>
std::string get_size(const Config& config, bool human) {
  return human ? format_size(config.*Field) : std::to_string(config.*Field);
}

template <auto Field>
std::string set_count(Config& config, const std::string& value) {
  using T = std::remove_reference_t<decltype(config.*Field)>;
  auto number = parse_count(value);
  if (!number) return "not a non-negative integer";
  if (*number > std::numeric_limits<T>::max()) return "too large";
  config.*Field = static_cast<T>(*number);
  return {};
}

template <auto Field>
std::string get_count(const Config& config, bool) {
  return std::to_string(config.*Field);
}

template <seconds Config::*Field>
std::string set_seconds(Config& config, const std::string& value) {
  auto number = parse_count(value);
  if (!number) return "not a whole number of seconds";
  if (*number > static_cast<std::uint64_t>(std::numeric_limits<seconds::rep>::max())) {
    return "too large";
  }
  config.*Field = seconds(static_cast<seconds::rep>(*number));
  return {};
}

template <seconds Config::*Field>
std::string get_seconds(const Config& config, bool) {
  return std::to_string((config.*Field).count());
}

template <bool Config::*Field>
std::string set_flag(Config& config, const std::string& value) {
  auto flag = parse_yes_no(value);
  if (!flag) return "must be yes or no";
  config.*Field = *flag;
  return {};
}

template <bool Config::*Field>
std::string get_flag(const Config& config, bool) {
  return std::string(yes_no(config.*Field));
}

template <std::string Config::*Field>
std::string set_text(Config& config, const std::string& value) {
  config.*Field = value;
  return {};
}

template <std::string Config::*Field>
std::string get_text(const Config& config, bool) {
  return config.*Field;
}

std::string set_listen(Config& config, const std::string& value) {
  std::string why;
  auto endpoint = parse_endpoint(value, &why);
  if (!endpoint) return why;
  config.listen.push_back(std::move(*endpoint));
  return {};
}

std::string get_listen(const Config& config, bool) {
  std::string out;
  for (const auto& endpoint : config.listen) {
    if (!out.empty()) out += ' ';
    out += endpoint.text;
  }
  return out;
}

void clear_listen(Config& config) { config.listen.clear(); }

bool is_ip_literal(const std::string& host) {
  in6_addr addr{};
  return ::inet_pton(AF_INET, host.c_str(), &addr) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), &addr) == 1;
}

std::string set_admin(Config& config, const std::string& value) {
  if (value == "none") {
    config.admin.reset();
    return {};
  }
  std::string why;
  auto endpoint = parse_endpoint(value, &why);
  if (!endpoint) return why;
  // The admin port is a UDP socket bound to an address, never resolved.
  if (endpoint->kind == Endpoint::Kind::unix_socket) {
    return "the admin port is UDP: use HOST:PORT or none";
  }
  if (endpoint->host != "localhost" && !is_ip_literal(endpoint->host)) {
    return "HOST must be an IP address or localhost";
  }
  config.admin = std::move(*endpoint);
  return {};
}

std::string get_admin(const Config& config, bool) {
  return config.admin ? config.admin->text : "none";
}

std::string set_log_level(Config& config, const std::string& value) {
  auto level = parse_log_level(value);
  if (!level) return "must be debug, info, warn or error";
  config.log_level = *level;
  return {};
}

std::string get_log_level(const Config& config, bool) {
  return std::string(log_level_name(config.log_level));
}

std::string set_journal_fsync(Config& config, const std::string& value) {
  auto fsync = parse_journal_fsync(value);
  if (!fsync) return "must be always, everysec or no";
  config.journal_fsync = *fsync;
  return {};
}

std::string get_journal_fsync(const Config& config, bool) {
  return std::string(journal_fsync_name(config.journal_fsync));
}

std::string set_dispatch_mode(Config& config, const std::string& value) {
  auto mode = parse_dispatch_mode(value);
  if (!mode) return "must be preemptive or key";
  config.dispatch_mode = *mode;
  return {};
}

std::string get_dispatch_mode(const Config& config, bool) {
  return std::string(dispatch_mode_name(config.dispatch_mode));
}

std::string set_reload_watch_delay(Config& config, const std::string& value) {
  auto number = parse_count(value);
  if (!number) return "not a whole number of milliseconds";
  if (*number > 3'600'000) return "too large (at most 3600000, an hour)";
  config.reload_watch_delay_ms = std::chrono::milliseconds(*number);
  return {};
}

std::string get_reload_watch_delay(const Config& config, bool) {
  return std::to_string(config.reload_watch_delay_ms.count());
}

// Repeatable text directives (cron, reload_watch): one entry per occurrence.
template <std::vector<std::string> Config::*Field>
std::string add_line(Config& config, const std::string& value) {
  if (value.empty()) return "empty";
  (config.*Field).push_back(value);
  return {};
}

// CONFIG GET shows one line per entry, as the file would repeat them.
template <std::vector<std::string> Config::*Field>
std::string get_lines(const Config& config, bool) {
  std::string out;
  for (const auto& line : config.*Field) {
    if (!out.empty()) out += '\n';
    out += line;
  }
  return out;
}

template <std::vector<std::string> Config::*Field>
void clear_lines(Config& config) {
  (config.*Field).clear();
}

constexpr std::string_view kNetwork = "Network";
constexpr std::string_view kAdmin = "Admin port";
constexpr std::string_view kTasks = "Tasks and workers";
constexpr std::string_view kProcess = "Process";
constexpr std::string_view kDurability = "Durability";
constexpr std::string_view kTime = "Time and change";

const std::array kDirectives = std::to_array<Directive>({
    {"listen", kNetwork, "HOST:PORT",
     "RESP listener; repeatable. HOST:PORT, [IPv6]:PORT or unix:/path/to.sock; "
     "port 0 takes a free port. Given on the command line, replaces the file's",
     "", set_listen, get_listen, clear_listen},
    {"requirepass", kNetwork, "PASSWORD", "clients must AUTH with it first; empty = no AUTH", "",
     set_text<&Config::requirepass>, get_text<&Config::requirepass>},
    {"max_connections", kNetwork, "N",
     "clients beyond it get '-ERR max number of clients reached' (1..1000000)", "",
     set_count<&Config::max_connections>, get_count<&Config::max_connections>},
    {"backlog", kNetwork, "N", "listen backlog (1..65535)", "", set_count<&Config::backlog>,
     get_count<&Config::backlog>},
    {"heartbeat_check_interval", kNetwork, "SECONDS",
     "seconds between idle-connection sweeps; 0 = off", "",
     set_seconds<&Config::heartbeat_check_interval>,
     get_seconds<&Config::heartbeat_check_interval>},
    {"heartbeat_idle_time", kNetwork, "SECONDS",
     "a connection silent this long is closed; default twice heartbeat_check_interval; "
     "given alone, it turns the sweeps on at half of it",
     kDefaultInMeaning, set_seconds<&Config::heartbeat_idle_time>,
     get_seconds<&Config::heartbeat_idle_time>},
    {"open_tcp_keepalive", kNetwork, "yes|no",
     "TCP keepalive on client connections, with the three settings below", "",
     set_flag<&Config::open_tcp_keepalive>, get_flag<&Config::open_tcp_keepalive>},
    {"tcp_keepidle", kNetwork, "SECONDS", "idle time before the first probe (1..32767)", "",
     set_seconds<&Config::tcp_keepidle>, get_seconds<&Config::tcp_keepidle>},
    {"tcp_keepinterval", kNetwork, "SECONDS", "time between probes (1..32767)", "",
     set_seconds<&Config::tcp_keepinterval>, get_seconds<&Config::tcp_keepinterval>},
    {"tcp_keepcount", kNetwork, "N", "unanswered probes before the connection drops (1..127)", "",
     set_count<&Config::tcp_keepcount>, get_count<&Config::tcp_keepcount>},

    {"admin", kAdmin, "HOST:PORT", "UDP admin port for tasqctl; none disables it", "", set_admin,
     get_admin},
    {"admin_token", kAdmin, "TOKEN",
     "shared secret for the admin port, required when admin is not a loopback address", "",
     set_text<&Config::admin_token>, get_text<&Config::admin_token>},

    {"handler", kTasks, "HANDLER",
     "echo (built in), /path/lib.so (C ABI plugin), \"exec:SHELL COMMAND\" (a process per "
     "task) or \"pipe:SHELL COMMAND\" (one co-process per worker)",
     "",
     set_text<&Config::handler>, get_text<&Config::handler>},
    {"task_worker_num", kTasks, "N", "task worker processes (1..256)", "CPU count",
     set_count<&Config::task_worker_num>, get_count<&Config::task_worker_num>},
    {"max_request", kTasks, "N", "recycle a worker after this many tasks; 0 = never", "",
     set_count<&Config::max_request>, get_count<&Config::max_request>},
    {"max_wait_time", kTasks, "SECONDS",
     "on reload or shutdown, how long in-flight tasks may run before the worker is killed "
     "and the task requeued",
     "", set_seconds<&Config::max_wait_time>, get_seconds<&Config::max_wait_time>},
    {"task_timeout", kTasks, "SECONDS",
     "a task running longer is killed and counted failed; 0 = none", "",
     set_seconds<&Config::task_timeout>, get_seconds<&Config::task_timeout>},
    {"pipe_start_timeout", kTasks, "SECONDS",
     "seconds a pipe: co-process has to send READY after it starts (1..3600)", "",
     set_seconds<&Config::pipe_start_timeout>, get_seconds<&Config::pipe_start_timeout>},
    {"task_retry", kTasks, "N",
     "attempts for a task whose handler failed or whose worker died, then it is "
     "dead-lettered (1..1000)",
     "", set_count<&Config::task_retry>, get_count<&Config::task_retry>},
    {"package_max_length", kTasks, "SIZE", "largest accepted payload or request (1k..1g)", "",
     set_size<&Config::package_max_length_bytes>, get_size<&Config::package_max_length_bytes>},
    {"dispatch_mode", kTasks, "MODE",
     "preemptive: an idle worker takes the next task; key: a queue's tasks run one at a "
     "time, in push order",
     "", set_dispatch_mode, get_dispatch_mode},
    {"ring_size", kTasks, "SIZE",
     "shared-memory payload capacity; at least 2 x package_max_length + 4k, at most 64g", "",
     set_size<&Config::ring_size_bytes>, get_size<&Config::ring_size_bytes>},

    {"user", kProcess, "NAME", "user the worker processes run as (tasqd started as root)", "",
     set_text<&Config::user>, get_text<&Config::user>},
    {"group", kProcess, "NAME", "group the worker processes run as", "", set_text<&Config::group>,
     get_text<&Config::group>},
    {"chroot", kProcess, "DIR", "directory the worker processes chroot into", "",
     set_text<&Config::chroot>, get_text<&Config::chroot>},
    {"daemonize", kProcess, "yes|no", "detach from the terminal", "", set_flag<&Config::daemonize>,
     get_flag<&Config::daemonize>},
    {"pid_file", kProcess, "FILE", "write the master's pid here (daemonized or not)", "",
     set_text<&Config::pid_file>, get_text<&Config::pid_file>},
    {"log_file", kProcess, "FILE", "log here instead of stderr; SIGHUP reopens it", "",
     set_text<&Config::log_file>, get_text<&Config::log_file>},
    {"log_level", kProcess, "LEVEL", "debug, info, warn or error", "", set_log_level,
     get_log_level},

    {"journal", kDurability, "FILE",
     "append-only task journal, relative to the working directory; none = off", "",
     set_text<&Config::journal>, get_text<&Config::journal>},
    {"journal_fsync", kDurability, "POLICY",
     "always (fsync before acknowledging, once per reactor turn), everysec or no", "",
     set_journal_fsync, get_journal_fsync},
    {"journal_rewrite_min_size", kDurability, "SIZE",
     "compact the journal when it is past this size and twice its live size", "",
     set_size<&Config::journal_rewrite_min_size_bytes>,
     get_size<&Config::journal_rewrite_min_size_bytes>},

    {"cron", kTime, "LINE",
     "repeatable: \"MIN HOUR DOM MON DOW queue payload\", \"@hourly queue payload\" or "
     "\"@every 500ms queue payload\"",
     "", add_line<&Config::cron>, get_lines<&Config::cron>, clear_lines<&Config::cron>},
    {"reload_watch", kTime, "PATH",
     "repeatable: a file or directory (recursive) watched with inotify; a change reloads "
     "the workers",
     "", add_line<&Config::reload_watch>, get_lines<&Config::reload_watch>,
     clear_lines<&Config::reload_watch>},
    {"reload_watch_delay_ms", kTime, "MS", "changes are gathered this long before one reload",
     "", set_reload_watch_delay, get_reload_watch_delay},
});

}  // namespace

std::span<const Directive> directives() { return kDirectives; }

const Directive* find_directive(std::string_view name) {
  for (const auto& directive : kDirectives) {
    if (directive.name == name) return &directive;
  }
  return nullptr;
}

}  // namespace tasq::server::config_detail

namespace tasq::server {

std::vector<std::pair<std::string, std::string>> directive_values(const Config& config) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& directive : config_detail::directives()) {
    out.emplace_back(std::string(directive.name), directive.get(config, false));
  }
  return out;
}

}  // namespace tasq::server
