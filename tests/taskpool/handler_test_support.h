#pragma once
// Helpers shared by the handler tests: run one task through a real runner.

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

}  // namespace tasq::taskpool::testing
