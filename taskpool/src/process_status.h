#pragma once
// Internal: how a child process ended, in words for logs, failure reasons
// and dead letters (a worker as the pool reaps it, an exec: command as its
// handler does).

#include <cstdint>
#include <string>

namespace tasq::taskpool {

/// Whether a killing signal is named after its number.
enum class SignalName : std::uint8_t { number_only, with_name };

/// "exit code 3", "killed by signal 9" (with_name: "killed by signal 9
/// (SIGKILL)"), then " (core dumped)" when it did; "exit status lost" for a
/// negative status (the wait itself failed).
std::string describe_wait_status(int wait_status, SignalName name = SignalName::number_only);

}  // namespace tasq::taskpool
