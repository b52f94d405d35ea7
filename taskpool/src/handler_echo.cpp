// The built-in `echo` handler: the result is the payload. It is the default
// handler, so tasqd works with no configuration at all.

#include <algorithm>
#include <cstring>

#include "handler_factory.h"

namespace tasq::taskpool::handlers {

namespace {

class EchoRunner final : public HandlerRunner {
 public:
  int worker_start(std::uint32_t /*worker_id*/) override { return 0; }

  TaskOutput run(const TaskInput& task, tasq_result& result) override {
    result.length = std::min(task.payload.size(), result.capacity);
    if (result.length > 0) std::memcpy(result.data, task.payload.data(), result.length);
    return {};
  }

  void worker_stop(std::uint32_t /*worker_id*/) override {}
};

}  // namespace

std::unique_ptr<HandlerRunner> make_echo_runner() { return std::make_unique<EchoRunner>(); }

}  // namespace tasq::taskpool::handlers
