#pragma once
// Internal: what a worker needs to know beyond its id, handed over in the
// shared memory so that its command line stays just its title.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tasq::taskpool {

struct WorkerSettings {
  std::string handler;
  std::string user, group, chroot;
  std::string log_level;
  std::string log_file;
  std::chrono::milliseconds task_timeout{0};
  std::uint64_t max_request = 0;  ///< tasks before the worker retires; 0 = never
  std::chrono::milliseconds pipe_start_timeout{30'000};  ///< pipe: READY within it
  std::chrono::milliseconds max_wait{3000};  ///< pipe: a co-process's time to exit after STOP
  bool sched_batch = true;  ///< run under SCHED_BATCH (worker_sched_policy)
};

/// A compact byte string: each text field length-prefixed, then the numbers.
std::string encode(const WorkerSettings& settings);
/// The inverse of encode(); nullopt when the bytes are truncated or malformed.
std::optional<WorkerSettings> decode_worker_settings(std::string_view bytes);

}  // namespace tasq::taskpool
