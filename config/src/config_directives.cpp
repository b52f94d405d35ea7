// The directive table: one row per directive, as Redis's config.c has it.
//
// To add a directive:
//  1. Add its field to Config (include/tasq/config/config.h), without a
//     default: `std::uint64_t result_max_memory_bytes{};`.
//  2. Add one row below, in the group where --help should list it:
//
//       row<Size<&Config::result_max_memory_bytes>>({
//           .name = "result_max_memory", .group = kTasks, .arg = "SIZE",
//           .default_value = "64m", .max = 1ull << 40,
//           .help = "bound on all kept results; past it the oldest go first"}),
//
//     The adapter says where the value lands and how its text reads:
//     Size (bytes, k/m/g), Count (an unsigned integer field), Duration
//     (std::chrono::seconds or milliseconds field), YesNo, Text, Lines
//     (repeatable text), Choice<&Config::field, kNames> (an enum spelled by
//     a names array in config_values.h), Listen (repeatable addresses),
//     AddressOrNone<&Config::field, kWhyNotUnix> (a bound HOST:PORT or none),
//     OctalMode (an optional file mode).
//     The fields, in this order, all but name optional:
//       name          as in the file and on the command line (--name value)
//       group, arg    --help section and value placeholder
//       default_value as a config line spells it; empty = the field's zero.
//                     Config's constructor applies it; --help shows it.
//       compute_default  for a default that depends on the host
//       min, max      bounds of a number, checked by validate() and shown
//                     by --help; kNoMax = no upper bound
//       flags         kRepeatable (list fields: each line adds a value),
//                     kSecret (left out of CONFIG GET)
//       check         a rule on this value alone beyond its bounds
//                     (config_checks.cpp)
//       help          what it does, for --help
//  3. Document it in README.md's directive table (the users' reference),
//     and count it in ConfigValues.DirectiveValuesForConfigGet.
//  That is all: the file, the command line, --help, CONFIG GET, the default
//  and the bounds come from the row. A rule that ties several directives
//  together (ring_size against package_max_length, say) goes in
//  config_validate.cpp, and so does a check of the host (a user, a file).
//  A row whose flags or bounds do not fit its adapter does not compile. A
//  new kind of value is a new adapter in config_adapters.h.
//
// There is no restart-only flag: tasq has no CONFIG SET, so every directive
// is read once, at start.

#include "config_directives.h"

#include <array>

#include "config_adapters.h"
#include "config_checks.h"

namespace tasq::config::detail {
namespace {

constexpr std::string_view kTasks = "Tasks and workers";
constexpr std::string_view kNetwork = "Network";
constexpr std::string_view kAdmin = "Admin port";
constexpr std::string_view kProcess = "Process";
constexpr std::string_view kDurability = "Durability";
constexpr std::string_view kTime = "Time and change";
constexpr std::string_view kResults = "Results and events";

// A year: long enough for any real timeout, short enough that adding it to
// a clock or converting it to nanoseconds cannot overflow.
constexpr std::uint64_t kYear = 365ull * 24 * 3600;
// Linux's limits for TCP_KEEPIDLE / TCP_KEEPINTVL and TCP_KEEPCNT.
constexpr std::uint64_t kMaxKeepaliveSeconds = 32767;
constexpr std::uint64_t kMaxKeepcount = 127;

constexpr std::string_view kAdminIsUdp = "the admin port is UDP";
constexpr std::string_view kMetricsIsTcp = "the metrics listener is HTTP over TCP";

std::string cpu_count() { return std::to_string(default_task_worker_num()); }

// One row per directive, laid out by hand: a table reads better than one
// field per line.
// clang-format off
constexpr auto kDirectives = std::to_array<Directive>({
    // ------------------------------------------------------------ tasks
    row<Text<&Config::handler>>({
        .name = "handler", .group = kTasks, .arg = "HANDLER", .default_value = "echo",
        .check = check_handler,
        .help = "echo (built in), /path/lib.so (C ABI plugin), \"exec:SHELL COMMAND\" (a process "
                "per task) or \"pipe:SHELL COMMAND\" (one co-process per worker)"}),
    row<Count<&Config::task_worker_num>>({
        .name = "task_worker_num", .group = kTasks, .arg = "N", .default_value = "CPU count",
        .compute_default = cpu_count, .min = 1, .max = 256,
        .help = "task worker processes"}),
    row<Count<&Config::max_request>>({
        .name = "max_request", .group = kTasks, .arg = "N", .default_value = "0",
        .help = "recycle a worker after this many tasks; 0 = never"}),
    row<Duration<&Config::max_wait_time>>({
        .name = "max_wait_time", .group = kTasks, .arg = "SECONDS", .default_value = "3",
        .max = kYear,
        .help = "on reload or shutdown, how long in-flight tasks may run before the worker is "
                "killed and the task requeued"}),
    row<Duration<&Config::task_timeout>>({
        .name = "task_timeout", .group = kTasks, .arg = "SECONDS", .default_value = "0",
        .max = kYear,
        .help = "a task running longer is killed and counted failed; 0 = none"}),
    row<Duration<&Config::pipe_start_timeout>>({
        .name = "pipe_start_timeout", .group = kTasks, .arg = "SECONDS", .default_value = "30",
        .min = 1, .max = 3600,
        .help = "seconds a pipe: co-process has to send READY after it starts"}),
    row<Count<&Config::task_retry>>({
        .name = "task_retry", .group = kTasks, .arg = "N", .default_value = "3", .min = 1,
        .max = 1000,
        .help = "attempts for a task whose handler failed or whose worker died, then it is "
                "dead-lettered"}),
    row<Size<&Config::package_max_length_bytes>>({
        .name = "package_max_length", .group = kTasks, .arg = "SIZE", .default_value = "2m",
        .min = 1ull << 10, .max = 1ull << 30,
        .help = "largest accepted payload or request"}),
    row<Choice<&Config::dispatch_mode, kDispatchModeNames>>({
        .name = "dispatch_mode", .group = kTasks, .arg = "MODE", .default_value = "preemptive",
        .help = "preemptive: an idle worker takes the next task; key: a queue's tasks run one at "
                "a time, in push order"}),
    row<Choice<&Config::worker_sched_policy, kWorkerSchedPolicyNames>>({
        .name = "worker_sched_policy", .group = kTasks, .arg = "POLICY", .default_value = "batch",
        .help = "batch: a woken worker (and its handler) waits for a free CPU instead of "
                "preempting the master (SCHED_BATCH); normal: the policy tasqd was started with"}),
    row<Size<&Config::ring_size_bytes>>({
        .name = "ring_size", .group = kTasks, .arg = "SIZE", .default_value = "64m",
        .max = 64ull << 30,
        .help = "shared-memory payload capacity; at least 2 x package_max_length + 64k"}),

    // ------------------------------------------------- results and events
    row<Duration<&Config::result_ttl>>({
        .name = "result_ttl", .group = kResults, .arg = "SECONDS", .default_value = "300",
        .max = kYear,
        .help = "seconds a task's result is kept after it ends (tasq:result:<ID>); 0 = keep none"}),
    row<Size<&Config::result_max_memory_bytes>>({
        .name = "result_max_memory", .group = kResults, .arg = "SIZE", .default_value = "64m",
        .max = 1ull << 40,
        .help = "bound on all kept results; past it the oldest go first (results_evicted)"}),
    row<Count<&Config::finished_events_max>>({
        .name = "finished_events_max", .group = kResults, .arg = "N", .default_value = "10000",
        .max = 10'000'000,
        .help = "entries kept in the tasq:finished stream; 0 = none"}),
    row<Count<&Config::dead_letter_max>>({
        .name = "dead_letter_max", .group = kResults, .arg = "N", .default_value = "10000",
        .max = 10'000'000,
        .help = "dead-lettered tasks kept in the tasq:dead stream (the oldest go first)"}),

    // ---------------------------------------------------------- network
    row<Listen>({
        .name = "listen", .group = kNetwork, .arg = "HOST:PORT",
        .default_value = "127.0.0.1:6380", .flags = kRepeatable,
        .check = check_listen,
        .help = "RESP listener; repeatable. HOST:PORT, [IPv6]:PORT or unix:/path/to.sock; "
                "port 0 takes a free port. Given on the command line, replaces the file's"}),
    row<OctalMode<&Config::unixsocketperm>>({
        .name = "unixsocketperm", .group = kNetwork, .arg = "MODE",
        .help = "octal mode of unix: listener sockets, as Redis's (700, 0770); "
                "empty: the umask decides"}),
    row<Text<&Config::requirepass>>({
        .name = "requirepass", .group = kNetwork, .arg = "PASSWORD", .flags = kSecret,
        .help = "clients must AUTH with it first; empty = no AUTH. Never shown by CONFIG GET"}),
    row<Count<&Config::max_connections>>({
        .name = "max_connections", .group = kNetwork, .arg = "N", .default_value = "10000",
        .min = 1, .max = 1'000'000,
        .help = "clients beyond it get '-ERR max number of clients reached'"}),
    row<Count<&Config::backlog>>({
        .name = "backlog", .group = kNetwork, .arg = "N", .default_value = "511", .min = 1,
        .max = 65535,
        .help = "listen backlog"}),
    row<Duration<&Config::heartbeat_check_interval>>({
        .name = "heartbeat_check_interval", .group = kNetwork, .arg = "SECONDS",
        .default_value = "0", .max = kYear,
        .help = "seconds between idle-connection sweeps; 0 = off"}),
    // Its default is derived from the interval (config_parse.cpp), so none is shown.
    row<Duration<&Config::heartbeat_idle_time>>({
        .name = "heartbeat_idle_time", .group = kNetwork, .arg = "SECONDS", .max = kYear,
        .help = "a connection silent this long is closed; default twice "
                "heartbeat_check_interval; given alone, it turns the sweeps on at half of it"}),
    row<YesNo<&Config::open_tcp_keepalive>>({
        .name = "open_tcp_keepalive", .group = kNetwork, .arg = "yes|no", .default_value = "no",
        .help = "TCP keepalive on client connections, with the three settings below"}),
    row<Duration<&Config::tcp_keepidle>>({
        .name = "tcp_keepidle", .group = kNetwork, .arg = "SECONDS", .default_value = "60",
        .min = 1, .max = kMaxKeepaliveSeconds,
        .help = "idle time before the first probe"}),
    row<Duration<&Config::tcp_keepinterval>>({
        .name = "tcp_keepinterval", .group = kNetwork, .arg = "SECONDS", .default_value = "10",
        .min = 1, .max = kMaxKeepaliveSeconds,
        .help = "time between probes"}),
    row<Count<&Config::tcp_keepcount>>({
        .name = "tcp_keepcount", .group = kNetwork, .arg = "N", .default_value = "6", .min = 1,
        .max = kMaxKeepcount,
        .help = "unanswered probes before the connection drops"}),

    // ------------------------------------------------------- admin port
    row<AddressOrNone<&Config::admin, kAdminIsUdp>>({
        .name = "admin", .group = kAdmin, .arg = "HOST:PORT", .default_value = "127.0.0.1:6381",
        .help = "UDP admin port for tasqctl; none disables it"}),
    row<Text<&Config::admin_token>>({
        .name = "admin_token", .group = kAdmin, .arg = "TOKEN", .flags = kSecret,
        .check = check_admin_token,
        .help = "shared secret for the admin port, required when admin is not a loopback "
                "address; empty: a token made at each start, in a mode-0600 file tasqctl reads. "
                "Never shown by CONFIG GET"}),
    row<AddressOrNone<&Config::metrics, kMetricsIsTcp>>({
        .name = "metrics", .group = kAdmin, .arg = "HOST:PORT", .default_value = "none",
        .help = "HTTP listener for /metrics (Prometheus) and the dashboard at /; none disables "
                "it; not a loopback address needs admin_token"}),

    // ---------------------------------------------------------- process
    row<Text<&Config::user>>({
        .name = "user", .group = kProcess, .arg = "NAME",
        .help = "user the worker processes run as (tasqd started as root)"}),
    row<Text<&Config::group>>({
        .name = "group", .group = kProcess, .arg = "NAME",
        .help = "group the worker processes run as"}),
    row<Text<&Config::chroot>>({
        .name = "chroot", .group = kProcess, .arg = "DIR",
        .help = "directory the worker processes chroot into"}),
    row<YesNo<&Config::daemonize>>({
        .name = "daemonize", .group = kProcess, .arg = "yes|no", .default_value = "no",
        .help = "detach from the terminal"}),
    row<Text<&Config::pid_file>>({
        .name = "pid_file", .group = kProcess, .arg = "FILE",
        .help = "write the master's pid here (daemonized or not)"}),
    row<Text<&Config::log_file>>({
        .name = "log_file", .group = kProcess, .arg = "FILE",
        .help = "log here instead of stderr; SIGHUP reopens it"}),
    row<Choice<&Config::log_level, kLogLevelNames>>({
        .name = "log_level", .group = kProcess, .arg = "LEVEL", .default_value = "info",
        .help = "debug, info, warn or error"}),

    // ------------------------------------------------------- durability
    row<Text<&Config::journal>>({
        .name = "journal", .group = kDurability, .arg = "FILE", .default_value = "tasq.journal",
        .check = check_journal,
        .help = "append-only task journal, relative to the working directory; none = off"}),
    row<Choice<&Config::journal_fsync, kJournalFsyncNames>>({
        .name = "journal_fsync", .group = kDurability, .arg = "POLICY",
        .default_value = "everysec",
        .help = "always (fsync before acknowledging, once per reactor turn), everysec or no"}),
    row<Size<&Config::journal_rewrite_min_size_bytes>>({
        .name = "journal_rewrite_min_size", .group = kDurability, .arg = "SIZE",
        .default_value = "64m", .min = 1ull << 20,
        .help = "compact the journal when it is past this size and twice its live size"}),

    // --------------------------------------------------- time and change
    row<Lines<&Config::cron>>({
        .name = "cron", .group = kTime, .arg = "LINE", .flags = kRepeatable,
        .check = check_cron,
        .help = "repeatable: \"MIN HOUR DOM MON DOW queue payload\", \"@hourly queue payload\" "
                "or \"@every 500ms queue payload\""}),
    row<Lines<&Config::reload_watch>>({
        .name = "reload_watch", .group = kTime, .arg = "PATH", .flags = kRepeatable,
        .help = "repeatable: a file or directory (recursive) watched with inotify; a change "
                "reloads the workers"}),
    row<Duration<&Config::reload_watch_delay_ms>>({
        .name = "reload_watch_delay_ms", .group = kTime, .arg = "MS", .default_value = "500",
        .max = 3'600'000,
        .help = "changes are gathered this long before one reload"}),
});
// clang-format on

}  // namespace

std::span<const Directive> directives() { return kDirectives; }

const Directive* find_directive(std::string_view name) {
  for (const auto& directive : kDirectives) {
    if (directive.name == name) return &directive;
  }
  return nullptr;
}

}  // namespace tasq::config::detail

namespace tasq::config {

Config::Config() {
  for (const auto& directive : detail::directives()) {
    std::string value = directive.compute_default ? directive.compute_default()
                                                  : std::string(directive.default_value);
    // An empty default is the field's zero, which it already holds.
    if (value.empty()) continue;
    // Every default parses: ConfigTable.EveryDefaultParses checks each row.
    (void)directive.set(*this, value);
  }
}

std::vector<std::pair<std::string, std::string>> directive_values(const Config& config,
                                                                  Secrets secrets) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& directive : detail::directives()) {
    if (secrets == Secrets::hidden && directive.secret()) continue;
    out.emplace_back(std::string(directive.name), directive.get(config));
  }
  return out;
}

}  // namespace tasq::config
