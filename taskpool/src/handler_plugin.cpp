// The worker side of a C ABI plugin: each task goes straight to tasq_task.

#include "handler_plugin.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>

#include "handler_factory.h"

namespace tasq::taskpool::handlers {

namespace {

class PluginRunner final : public HandlerRunner {
 public:
  PluginRunner(std::string_view path, const HandlerOptions& options)
      : library_(path), reason_limit_(options.stderr_tail_bytes) {}

  int worker_start(std::uint32_t worker_id) override {
    return library_.worker_start != nullptr ? library_.worker_start(worker_id) : 0;
  }

  TaskOutput run(const TaskInput& task, tasq_result& result) override {
    const tasq_task_info info{.id = task.id,
                              .queue = task.queue.data(),
                              .queue_len = task.queue.size(),
                              .payload = task.payload.data(),
                              .payload_len = task.payload.size(),
                              .attempt = task.attempt,
                              .worker_id = task.worker_id};
    result.length = 0;
    const int status = library_.task(&info, &result);
    if (result.length > result.capacity) {
      spdlog::error(
          "handler plugin {}: task {} claimed a {}-byte result in a {}-byte buffer; "
          "cut to the buffer",
          library_.path(), task.id, result.length, result.capacity);
      result.length = result.capacity;
    }
    if (status == 0) return {};

    // A failing plugin's result is its error message (see tasq/handler.h).
    TaskOutput output{.status = status, .reason = "status " + std::to_string(status)};
    if (result.length > 0) {
      output.reason += ": ";
      output.reason.append(result.data, std::min(result.length, reason_limit_));
    }
    result.length = 0;
    return output;
  }

  void worker_stop(std::uint32_t worker_id) override {
    if (library_.worker_stop != nullptr) library_.worker_stop(worker_id);
  }

 private:
  PluginLibrary library_;
  std::size_t reason_limit_;
};

}  // namespace

std::unique_ptr<HandlerRunner> make_plugin_runner(std::string_view path,
                                                  const HandlerOptions& options) {
  return std::make_unique<PluginRunner>(path, options);
}

}  // namespace tasq::taskpool::handlers
