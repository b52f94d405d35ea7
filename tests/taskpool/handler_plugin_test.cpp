// C ABI plugins loaded for real with dlopen: the task path, the hooks, and
// the errors for libraries tasq must refuse.

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "handler_test_support.h"

namespace tasq::taskpool {
namespace {

using testing::finish_info;
using testing::run_task;

/// The test plugin's record of hook calls. dlopen of the same path returns
/// the library the runner loaded, so this reads the runner's copy.
class PluginEvents {
 public:
  PluginEvents() : handle_(::dlopen(TASQ_TEST_PLUGIN, RTLD_NOW | RTLD_LOCAL)) {
    if (handle_ == nullptr) throw std::runtime_error(::dlerror());
    events_ = reinterpret_cast<const char* (*)()>(::dlsym(handle_, "handler_test_plugin_events"));
    clear_ = reinterpret_cast<void (*)()>(::dlsym(handle_, "handler_test_plugin_clear"));
    if (events_ == nullptr || clear_ == nullptr) throw std::runtime_error("test plugin hooks");
    clear_();
  }
  ~PluginEvents() { ::dlclose(handle_); }
  PluginEvents(const PluginEvents&) = delete;
  PluginEvents& operator=(const PluginEvents&) = delete;

  [[nodiscard]] std::string text() const { return events_(); }

 private:
  void* handle_;
  const char* (*events_)() = nullptr;
  void (*clear_)() = nullptr;
};

std::string load_error(const std::string& spec) {
  try {
    make_handler_runner(spec, {});
  } catch (const std::runtime_error& error) {
    std::string from_hook;
    try {
      FinishHook hook(spec);
    } catch (const std::runtime_error& hook_error) {
      from_hook = hook_error.what();
    }
    EXPECT_EQ(from_hook, error.what()) << "the master must refuse what the workers refuse";
    return error.what();
  }
  ADD_FAILURE() << "loaded " << spec;
  return {};
}

TEST(PluginHandler, RunsTasksThroughTheLibrary) {
  PluginEvents events;
  auto runner = make_handler_runner(TASQ_TEST_PLUGIN, {});
  EXPECT_EQ(runner->worker_start(3), 0);

  auto run = run_task(*runner, "stressed");
  EXPECT_EQ(run.output.status, 0);
  EXPECT_EQ(run.output.reason, "");
  EXPECT_EQ(run.result, "desserts");

  run = run_task(*runner, "describe");
  EXPECT_EQ(run.output.status, 0);
  EXPECT_EQ(run.result, "id=42 queue=emails attempt=2 worker=3");

  run = run_task(*runner, "stressed", 3);
  EXPECT_EQ(run.result, "des") << "the plugin got the capacity it was given";

  runner->worker_stop(3);
  EXPECT_EQ(events.text(), "start 3;task 42;task 42;task 42;stop 3;");
}

TEST(PluginHandler, WorkerStartCanRefuse) {
  auto runner = make_handler_runner(TASQ_TEST_PLUGIN, {});
  EXPECT_EQ(runner->worker_start(99), 5);
}

TEST(PluginHandler, FailureCarriesThePluginsMessage) {
  auto runner = make_handler_runner(TASQ_TEST_PLUGIN, {});
  auto run = run_task(*runner, "fail");
  EXPECT_EQ(run.output.status, 7);
  EXPECT_EQ(run.output.reason, "status 7: bad input");
  EXPECT_EQ(run.result, "") << "a failed task has no result";

  run = run_task(*runner, "fail quietly");
  EXPECT_EQ(run.output.status, 3);
  EXPECT_EQ(run.output.reason, "status 3");
}

TEST(PluginHandler, FailureMessageIsBounded) {
  HandlerOptions options;
  options.stderr_tail_bytes = 4;
  auto runner = make_handler_runner(TASQ_TEST_PLUGIN, options);
  EXPECT_EQ(run_task(*runner, "fail").output.reason, "status 7: bad ");
}

TEST(PluginHandler, ResultLengthOverCapacityIsCut) {
  auto runner = make_handler_runner(TASQ_TEST_PLUGIN, {});
  const auto run = run_task(*runner, "overflow", 16);
  EXPECT_EQ(run.output.status, 0);
  EXPECT_EQ(run.result.size(), 16u);
}

TEST(PluginHandler, FinishHookIsCalledInTheMaster) {
  PluginEvents events;
  FinishHook hook(TASQ_TEST_PLUGIN);
  const std::string result = "ok!";
  hook.call(finish_info(9, "mail", 1, TASQ_COMPLETED, 0, result, ""));
  hook.call(finish_info(10, "mail", 3, TASQ_DEAD, -1, "", "worker died"));
  EXPECT_EQ(events.text(), "finish 9 mail 1 0 0 [ok!] [];finish 10 mail 3 2 -1 [] [worker died];");
}

TEST(PluginHandler, BadPathIsAClearError) {
  const std::string error = load_error("/nonexistent/libnothing.so");
  EXPECT_NE(error.find("cannot load handler plugin"), std::string::npos) << error;
  EXPECT_NE(error.find("/nonexistent/libnothing.so"), std::string::npos) << error;
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
}

TEST(PluginHandler, NotALibraryIsAClearError) {
  const std::string error = load_error(TASQ_TEST_NOT_A_LIBRARY);
  EXPECT_NE(error.find("cannot load handler plugin"), std::string::npos) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
}

TEST(PluginHandler, MissingTaskFunctionIsAClearError) {
  const std::string error = load_error(TASQ_TEST_PLUGIN_NO_TASK);
  EXPECT_NE(error.find(TASQ_TEST_PLUGIN_NO_TASK), std::string::npos) << error;
  EXPECT_NE(error.find("missing required function tasq_task"), std::string::npos) << error;
}

TEST(PluginHandler, MissingVersionFunctionIsAClearError) {
  const std::string error = load_error(TASQ_TEST_PLUGIN_NO_VERSION);
  EXPECT_NE(error.find("missing required function tasq_abi_version"), std::string::npos) << error;
}

TEST(PluginHandler, WrongAbiVersionIsAClearError) {
  const std::string error = load_error(TASQ_TEST_PLUGIN_WRONG_VERSION);
  EXPECT_NE(error.find(TASQ_TEST_PLUGIN_WRONG_VERSION), std::string::npos) << error;
  EXPECT_NE(error.find("built for ABI version 42, this tasq loads version 1"), std::string::npos)
      << error;
}

}  // namespace
}  // namespace tasq::taskpool
