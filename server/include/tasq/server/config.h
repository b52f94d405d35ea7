#pragma once
// Every directive of SPEC.md in one struct: defaults in the declarations,
// one validate() for every bound, read from a redis.conf-style file and from
// `--directive value` through one Boost.Program_options description.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tasq::server {

/// A parsed `listen`/`admin` address.
struct Endpoint {
  enum class Kind : std::uint8_t { tcp, unix_socket };
  Kind kind = Kind::tcp;
  std::string host;        ///< IPv4 or IPv6 literal (without brackets), or a host name
  std::uint16_t port = 0;  ///< 0 = a free port chosen by the kernel
  std::string path;        ///< for unix_socket
  std::string text;        ///< as written, for messages
  /// True for 127.0.0.0/8, ::1 (also as ::ffff:127.x.y.z), `localhost` and
  /// unix sockets: addresses only this host can reach.
  [[nodiscard]] bool is_loopback() const;
};

/// Parses a size: bytes, or a number with k, m or g (also kb, mb, gb; powers
/// of 1024, any case). nullopt when malformed or past 2^64.
std::optional<std::uint64_t> parse_size(std::string_view text);
/// Parses `HOST:PORT`, `[v6]:PORT` or `unix:/path`; when it fails and `why`
/// is given, says what is wrong ("missing port").
std::optional<Endpoint> parse_endpoint(std::string_view text, std::string* why = nullptr);

enum class LogLevel : std::uint8_t { debug, info, warn, error };
/// When journal writes reach the disk (Redis's appendfsync).
enum class JournalFsync : std::uint8_t { always, everysec, no };
/// How tasks are handed to workers: any idle worker takes the next task, or
/// one task per queue at a time, in push order.
enum class DispatchMode : std::uint8_t { preemptive, key };
/// `debug`, `info`, `warn` or `error`.
std::string_view to_string(LogLevel level);

/// Worker processes when task_worker_num is not given: the CPU count, at least 1.
std::uint32_t default_task_worker_num();

/// Room for record headers: validate() asks ring_size for at least
/// 2 x package_max_length + this, so that two of the largest payloads fit.
inline constexpr std::uint64_t kRingSlackBytes = 64 * 1024;

struct Config {
  std::vector<Endpoint> listen{parse_endpoint("127.0.0.1:6380").value()};
  std::optional<Endpoint> admin{parse_endpoint("127.0.0.1:6381")};  ///< nullopt = none
  std::string admin_token;
  std::string requirepass;
  std::string handler = "echo";
  std::uint32_t task_worker_num = default_task_worker_num();
  std::uint64_t max_request = 0;
  std::chrono::seconds max_wait_time{3};
  std::chrono::seconds task_timeout{0};
  std::chrono::seconds pipe_start_timeout{30};  ///< a pipe: co-process's time to send READY
  std::uint32_t task_retry = 3;
  std::uint64_t ring_size_bytes = 64ull << 20;
  std::uint64_t package_max_length_bytes = 2ull << 20;
  std::chrono::seconds heartbeat_check_interval{0};
  /// Default 2 x interval; given alone, the interval becomes half of it
  /// (both derived by parse_invocation).
  std::chrono::seconds heartbeat_idle_time{0};
  bool open_tcp_keepalive = false;
  std::chrono::seconds tcp_keepidle{60};      ///< TCP_KEEPIDLE, with open_tcp_keepalive
  std::chrono::seconds tcp_keepinterval{10};  ///< TCP_KEEPINTVL
  std::uint32_t tcp_keepcount = 6;            ///< TCP_KEEPCNT
  std::uint32_t backlog = 511;
  std::uint32_t max_connections = 10000;
  std::string user;
  std::string group;
  std::string chroot;
  bool daemonize = false;
  std::string pid_file;
  std::string log_file;  ///< empty = stderr
  LogLevel log_level = LogLevel::info;
  std::string journal = "tasq.journal";  ///< "none" = off
  JournalFsync journal_fsync = JournalFsync::everysec;
  std::uint64_t journal_rewrite_min_size_bytes = 64ull << 20;
  std::vector<std::string> cron;          ///< "MIN HOUR DOM MON DOW queue payload", "@every 5s q p"
  std::vector<std::string> reload_watch;  ///< files and directories (recursive)
  std::chrono::milliseconds reload_watch_delay_ms{500};
  DispatchMode dispatch_mode = DispatchMode::preemptive;

  [[nodiscard]] bool journal_enabled() const { return journal != "none"; }

  /// Checks every bound and every cross-directive rule, and that named users,
  /// groups, directories and plugin files exist; returns one line per
  /// problem, each starting with its directive ("ring_size: ...").
  [[nodiscard]] std::vector<std::string> validate() const;
};

/// What the command line asked for besides the directives.
struct Invocation {
  enum class Action : std::uint8_t { run, help, version, test_config, check_journal };
  Action action = Action::run;
  std::string config_file;  ///< the positional CONFIG_FILE, if any
  Config config;
  std::vector<std::string> errors;  ///< one line per problem, each naming the directive
  std::string help_text;            ///< for Action::help
  std::string check_journal_file;   ///< for Action::check_journal
  bool fix_journal = false;         ///< --fix: cut the journal at its first damage
};

/// Parses `tasqd [CONFIG_FILE] [--directive value ...]`: the file first, the
/// command line over it, then defaults, derived values and validate(). Never
/// throws; problems land in `errors`. A value that does not parse is
/// reported alone (validate() is skipped), so a typo gives one line.
Invocation parse_invocation(int argc, const char* const* argv);

/// The directives as `name value` pairs with their current values, in the
/// order of --help, for CONFIG GET (sizes in bytes, booleans yes/no, listen
/// addresses joined by spaces, admin `none` when off).
std::vector<std::pair<std::string, std::string>> directive_values(const Config& config);

}  // namespace tasq::server
