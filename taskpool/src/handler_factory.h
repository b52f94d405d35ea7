#pragma once
// Internal: how a `handler` directive value is read, and the constructors of
// the four kinds of runner. make_handler_runner and FinishHook share them so
// the worker and the master agree on what a spec means.

#include <memory>
#include <string>
#include <string_view>

#include "tasq/taskpool/handler_runner.h"

namespace tasq::taskpool::handlers {

enum class Kind { echo, exec, pipe, plugin };

struct Spec {
  Kind kind;
  std::string_view argument;  ///< the command of exec: or pipe:, a plugin's path; empty for echo
};

/// Classifies a `handler` value: "echo", "exec:COMMAND", "pipe:COMMAND",
/// anything else is a plugin path. Throws std::runtime_error for an empty value or a blank command.
Spec parse_spec(std::string_view spec);

std::unique_ptr<HandlerRunner> make_echo_runner();
std::unique_ptr<HandlerRunner> make_exec_runner(std::string command, const HandlerOptions& options);
std::unique_ptr<HandlerRunner> make_pipe_runner(std::string command, const HandlerOptions& options);
/// Throws std::runtime_error when the library cannot be loaded or checked.
std::unique_ptr<HandlerRunner> make_plugin_runner(std::string_view path,
                                                  const HandlerOptions& options);

}  // namespace tasq::taskpool::handlers
