#pragma once
// tasqd's configuration: the Config struct that every directive lands in,
// the parser of `tasqd [CONFIG_FILE] [--directive value ...]`, and the
// values behind CONFIG GET. Each directive's name, default, bounds, flags
// and help text are one row of the directive table (config_directives.cpp);
// the struct below holds only the fields.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tasq::config {

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
/// The Linux scheduling policy of the workers and their handlers: SCHED_BATCH
/// (a woken worker never preempts the running master) or SCHED_OTHER.
enum class WorkerSchedPolicy : std::uint8_t { batch, normal };
/// `debug`, `info`, `warn` or `error`.
std::string_view to_string(LogLevel level);

/// Worker processes when task_worker_num is not given: the CPU count, at least 1.
std::uint32_t default_task_worker_num();

/// Room for record headers: validate() asks ring_size for at least
/// 2 x package_max_length + this, so that two of the largest payloads fit.
inline constexpr std::uint64_t kRingSlackBytes = 64 * 1024;

/// One field per directive (a few, the sizes, carry a unit in their name).
/// The defaults are not written here: they are the table's, applied by the
/// constructor.
struct Config {
  /// Every directive at its default.
  Config();

  std::vector<Endpoint> listen;
  /// Mode of unix: listener sockets (0 to 0777); nullopt = the umask decides.
  std::optional<std::uint32_t> unixsocketperm;
  std::optional<Endpoint> admin;  ///< nullopt = none
  std::string admin_token;
  std::optional<Endpoint> metrics;  ///< HTTP (/metrics, dashboard); nullopt = none
  std::string requirepass;
  std::string handler;
  std::uint32_t task_worker_num{};
  std::uint64_t max_request{};
  std::chrono::seconds max_wait_time{};
  std::chrono::seconds task_timeout{};
  std::chrono::seconds pipe_start_timeout{};  ///< a pipe: co-process's time to send READY
  std::uint32_t task_retry{};
  std::uint64_t ring_size_bytes{};
  std::uint64_t package_max_length_bytes{};
  std::chrono::seconds heartbeat_check_interval{};
  /// Default 2 x interval; given alone, the interval becomes half of it
  /// (both derived by parse_invocation).
  std::chrono::seconds heartbeat_idle_time{};
  bool open_tcp_keepalive{};
  std::chrono::seconds tcp_keepidle{};      ///< TCP_KEEPIDLE, with open_tcp_keepalive
  std::chrono::seconds tcp_keepinterval{};  ///< TCP_KEEPINTVL
  std::uint32_t tcp_keepcount{};            ///< TCP_KEEPCNT
  std::uint32_t backlog{};
  std::uint32_t max_connections{};
  std::string user;
  std::string group;
  std::string chroot;
  bool daemonize{};
  std::string pid_file;
  std::string log_file;  ///< empty = stderr
  LogLevel log_level{};
  std::string journal;  ///< "none" = off
  JournalFsync journal_fsync{};
  std::uint64_t journal_rewrite_min_size_bytes{};
  std::vector<std::string> cron;          ///< "MIN HOUR DOM MON DOW queue payload", "@every 5s q p"
  std::vector<std::string> reload_watch;  ///< files and directories (recursive)
  std::chrono::milliseconds reload_watch_delay_ms{};
  DispatchMode dispatch_mode{};
  WorkerSchedPolicy worker_sched_policy{};
  std::chrono::seconds result_ttl{};  ///< 0 = keep no result
  std::uint64_t result_max_memory_bytes{};
  std::uint64_t finished_events_max{};
  std::uint64_t dead_letter_max{};

  [[nodiscard]] bool journal_enabled() const { return journal != "none"; }

  /// Checks every directive's bounds and rules (its row's), every rule
  /// between directives, and that named users, groups, directories and
  /// plugin files exist; returns one line per problem, each starting with
  /// its directive ("ring_size: ...").
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

/// Parses `tasqd [CONFIG_FILE] [--directive value ...]`: each `--name value`
/// becomes the config line `name value`, read by the same parser as the
/// file's lines; the command line wins over the file; then derived values
/// and validate(). Never throws; problems land in `errors`. A value that
/// does not parse is reported alone (validate() is skipped), so a typo
/// gives one line.
Invocation parse_invocation(int argc, const char* const* argv);

/// Whether directive_values includes directives flagged secret
/// (admin_token, requirepass).
enum class Secrets : std::uint8_t { shown, hidden };

/// The directives as `name value` pairs with their current values, in the
/// order of --help, for CONFIG GET (sizes in bytes, booleans yes/no, listen
/// addresses joined by spaces, admin `none` when off, repeatable lines one
/// per line).
std::vector<std::pair<std::string, std::string>> directive_values(const Config& config,
                                                                  Secrets secrets = Secrets::shown);

}  // namespace tasq::config
