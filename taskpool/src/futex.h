#pragma once
// Internal: process-shared futex waits and wakes on a 32-bit word in the
// pool's shared memory.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace tasq::taskpool {

/// Sleeps while `*word == expected`, until woken, interrupted by a signal or
/// `timeout` passes (zero = no timeout). Callers re-check their condition:
/// every return may be spurious.
/// The word may lie in a read-only mapping (a worker waits on the master's).
void futex_wait(const std::atomic<std::uint32_t>& word, std::uint32_t expected,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(0));
/// Wakes up to `count` processes sleeping on `word`.
void futex_wake(std::atomic<std::uint32_t>& word, int count);

}  // namespace tasq::taskpool
