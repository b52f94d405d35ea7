#pragma once
// The standard `process_*` figures every Prometheus client library exports,
// read from Linux's /proc for this process.

#include <cstdint>
#include <string>

namespace tasq::metrics {

struct ProcessFigures {
  double cpu_seconds = 0;            ///< user + system CPU time
  std::uint64_t resident_bytes = 0;  ///< RSS
  std::uint64_t virtual_bytes = 0;
  std::uint64_t open_fds = 0;
  std::uint64_t max_fds = 0;      ///< RLIMIT_NOFILE's soft limit
  double start_time_seconds = 0;  ///< unix time the process started
};

/// Reads this process's figures. A file that cannot be read leaves its
/// figures at 0 and says which in `error` (when given); never throws.
ProcessFigures read_process_figures(std::string* error = nullptr);

/// Parses the text of /proc/<pid>/stat (the command name may hold spaces
/// and parentheses) with the clock ticks per second and the boot time from
/// /proc/stat's `btime`; for read_process_figures and its tests.
bool parse_proc_stat(const std::string& text, long ticks_per_second, std::uint64_t boot_time,
                     ProcessFigures& out);

}  // namespace tasq::metrics
