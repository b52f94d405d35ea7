#pragma once
// Every directive of SPEC.md in one struct: defaults in the declarations,
// one validate() for every bound, read from a redis.conf-style file and from
// `--directive value` through one Boost.Program_options description.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tasq::server {

/// A parsed `listen`/`admin` address.
struct Endpoint {
  enum class Kind : std::uint8_t { tcp, unix_socket };
  Kind kind = Kind::tcp;
  std::string host;      ///< IPv4 or IPv6 literal (without brackets), or a host name
  std::uint16_t port = 0;
  std::string path;      ///< for unix_socket
  std::string text;      ///< as written, for messages
  [[nodiscard]] bool is_loopback() const;
};

enum class LogLevel : std::uint8_t { debug, info, warn, error };

struct Config {
  std::vector<Endpoint> listen;            ///< default 127.0.0.1:6380
  std::optional<Endpoint> admin;           ///< default 127.0.0.1:6381; nullopt = none
  std::string admin_token;
  std::string requirepass;
  std::string handler = "echo";
  std::uint32_t task_worker_num = 0;       ///< default: CPU count (filled by load)
  std::uint64_t max_request = 0;
  std::chrono::seconds max_wait_time{3};
  std::chrono::seconds task_timeout{0};
  std::uint32_t task_retry = 3;
  std::uint64_t ring_size_bytes = 64ull << 20;
  std::uint64_t package_max_length_bytes = 2ull << 20;
  std::chrono::seconds heartbeat_check_interval{0};
  std::chrono::seconds heartbeat_idle_time{0};  ///< default: 2 x interval (filled by load)
  bool open_tcp_keepalive = false;
  std::chrono::seconds tcp_keepidle{60};
  std::chrono::seconds tcp_keepinterval{10};
  std::uint32_t tcp_keepcount = 6;
  std::uint32_t backlog = 511;
  std::uint32_t max_connections = 10000;
  std::string user;
  std::string group;
  std::string chroot;
  bool daemonize = false;
  std::string pid_file;
  std::string log_file;                    ///< empty = stderr
  LogLevel log_level = LogLevel::info;

  /// Checks every bound; returns one line per problem, each naming its
  /// directive ("ring_size: must be at least twice package_max_length").
  [[nodiscard]] std::vector<std::string> validate() const;
};

/// What the command line asked for besides the directives.
struct Invocation {
  enum class Action : std::uint8_t { run, help, version, test_config, worker };
  Action action = Action::run;
  std::string config_file;   ///< the positional CONFIG_FILE, if any
  Config config;
  std::vector<std::string> errors;  ///< one line per problem, each naming the directive
  std::string help_text;     ///< for Action::help
};

/// Parses `tasqd [CONFIG_FILE] [--directive value ...]`: the file first, the
/// command line over it, then defaults, derived values and validate(). Never
/// throws; problems land in `errors`.
Invocation parse_invocation(int argc, const char* const* argv);

/// Parses a size with an optional k/m/g suffix (powers of 1024), as in redis.conf.
std::optional<std::uint64_t> parse_size(std::string_view text);
/// Parses `HOST:PORT`, `[v6]:PORT` or `unix:/path`.
std::optional<Endpoint> parse_endpoint(std::string_view text);

/// The directives as `name value` pairs with their current values, in the
/// order of --help, for CONFIG GET (sizes in bytes, booleans yes/no).
std::vector<std::pair<std::string, std::string>> directive_values(const Config& config);

}  // namespace tasq::server
