#pragma once
// Helpers shared by the handler tests: run one task through a real runner.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <string_view>

#include "tasq/taskpool/handler_runner.h"

namespace tasq::taskpool::testing {

struct TaskRun {
  TaskOutput output;
  std::string result;
};

inline TaskInput sample_task(std::string_view payload) {
  return TaskInput{.id = 42, .queue = "emails", .payload = payload, .attempt = 2, .worker_id = 3};
}

/// Runs `task` with a result buffer of `capacity` bytes and copies out the result.
inline TaskRun run_task(HandlerRunner& runner, const TaskInput& task,
                        std::size_t capacity = 1 << 20) {
  std::string buffer(capacity, '\0');
  tasq_result result{.data = buffer.data(), .capacity = buffer.size(), .length = 0};
  TaskRun run{.output = runner.run(task, result), .result = {}};
  run.result.assign(buffer.data(), result.length);
  return run;
}

inline TaskRun run_task(HandlerRunner& runner, std::string_view payload,
                        std::size_t capacity = 1 << 20) {
  return run_task(runner, sample_task(payload), capacity);
}

/// Every exec task must reap what it started: the test process has no other
/// children left.
inline void expect_no_children() {
  errno = 0;
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

/// A finish report for a hook: `result` only for TASQ_COMPLETED, as the pool sends it.
inline tasq_finish_info finish_info(std::uint64_t id, std::string_view queue,
                                    std::uint32_t attempt, tasq_outcome outcome, int status,
                                    std::string_view result, const char* reason) {
  bool completed = outcome == TASQ_COMPLETED;
  return tasq_finish_info{.id = id,
                          .queue = queue.data(),
                          .queue_len = queue.size(),
                          .attempt = attempt,
                          .outcome = outcome,
                          .status = status,
                          .result = completed ? result.data() : nullptr,
                          .result_len = completed ? result.size() : 0,
                          .reason = reason};
}

}  // namespace tasq::taskpool::testing
