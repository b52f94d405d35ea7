#pragma once
// tasqctl's human-readable views of the admin port's JSON replies.

#include <string>

namespace tasq::clients {

/// A table of workers: ID, PID, STATE, TASKS, UPTIME, RESTARTS.
std::string format_workers(const std::string& json_text);
/// The stats as aligned `name  value` lines, then the workers table.
std::string format_stats(const std::string& json_text);
/// The dead letters: ID, QUEUE, ATTEMPTS, DEAD SINCE, ERROR and PAYLOAD (both
/// cut to fit a line), newest first, then how many there are.
std::string format_dead(const std::string& json_text);
/// "3d 04:05:06" style uptime.
std::string format_duration(long long seconds);

}  // namespace tasq::clients
