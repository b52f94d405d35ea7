// The built-in echo handler and how make_handler_runner reads a spec.

#include <gtest/gtest.h>

#include <stdexcept>

#include "handler_test_support.h"

namespace tasq::taskpool {
namespace {

using testing::run_task;

TEST(EchoHandler, ResultIsThePayload) {
  auto runner = make_handler_runner("echo", {});
  EXPECT_EQ(runner->worker_start(0), 0);
  const std::string payload("binary\0bytes\r\n", 14);
  const auto run = run_task(*runner, payload);
  EXPECT_EQ(run.output.status, 0);
  EXPECT_EQ(run.output.reason, "");
  EXPECT_EQ(run.result, payload);
  runner->worker_stop(0);
}

TEST(EchoHandler, ResultIsCutAtCapacity) {
  auto runner = make_handler_runner("echo", {});
  const auto run = run_task(*runner, "0123456789", 4);
  EXPECT_EQ(run.output.status, 0);
  EXPECT_EQ(run.result, "0123");
}

TEST(EchoHandler, EmptyPayloadAndZeroCapacity) {
  auto runner = make_handler_runner("echo", {});
  EXPECT_EQ(run_task(*runner, "").result, "");
  tasq_result nothing{.data = nullptr, .capacity = 0, .length = 0};
  const auto output = runner->run(testing::sample_task("payload"), nothing);
  EXPECT_EQ(output.status, 0);
  EXPECT_EQ(nothing.length, 0u);
}

TEST(HandlerSpec, EmptyHandlerIsAClearError) {
  for (const char* spec : {"", "  "}) {
    try {
      make_handler_runner(spec, {});
      ADD_FAILURE() << "accepted '" << spec << "'";
    } catch (const std::runtime_error& error) {
      EXPECT_NE(std::string(error.what()).find("handler is empty"), std::string::npos)
          << error.what();
    }
  }
}

TEST(HandlerSpec, ExecWithoutCommandIsAClearError) {
  for (const char* spec : {"exec:", "exec:  "}) {
    try {
      make_handler_runner(spec, {});
      ADD_FAILURE() << "accepted '" << spec << "'";
    } catch (const std::runtime_error& error) {
      EXPECT_NE(std::string(error.what()).find("needs a shell command"), std::string::npos)
          << error.what();
    }
    EXPECT_THROW(FinishHook hook(spec), std::runtime_error);
  }
}

TEST(HandlerSpec, MistypedHandlerNamesTheValidForms) {
  try {
    make_handler_runner("ehco", {});
    FAIL() << "accepted a mistyped handler";
  } catch (const std::runtime_error& error) {
    const std::string text = error.what();
    EXPECT_NE(text.find("ehco"), std::string::npos) << text;
    EXPECT_NE(text.find("echo, exec:COMMAND, pipe:COMMAND or the path"), std::string::npos) << text;
    EXPECT_EQ(text.find('\n'), std::string::npos) << text;
  }
}

TEST(FinishHook, LoadsNothingForEchoAndExec) {
  const tasq_finish_info info{.id = 1,
                              .queue = "q",
                              .queue_len = 1,
                              .attempt = 1,
                              .outcome = TASQ_COMPLETED,
                              .status = 0,
                              .result = nullptr,
                              .result_len = 0,
                              .reason = ""};
  // Were either taken for a plugin path, dlopen would fail and throw.
  for (const char* spec : {"echo", "exec:cat", "exec:/opt/job.so"}) {
    EXPECT_NO_THROW({
      FinishHook hook(spec);
      hook.call(info);
    }) << spec;
  }
}

}  // namespace
}  // namespace tasq::taskpool
