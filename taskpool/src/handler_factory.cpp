#include "handler_factory.h"

#include <stdexcept>

namespace tasq::taskpool {
namespace handlers {

namespace {
constexpr std::string_view exec_prefix = "exec:";
constexpr std::string_view pipe_prefix = "pipe:";

bool is_blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}
}  // namespace

Spec parse_spec(std::string_view spec) {
  if (spec == "echo") return {Kind::echo, {}};
  if (spec.starts_with(exec_prefix)) {
    std::string_view command = spec.substr(exec_prefix.size());
    if (is_blank(command)) {
      throw std::runtime_error("handler 'exec:' needs a shell command, e.g. 'exec:wc -c'");
    }
    return {Kind::exec, command};
  }
  if (spec.starts_with(pipe_prefix)) {
    std::string_view command = spec.substr(pipe_prefix.size());
    if (is_blank(command)) {
      throw std::runtime_error("handler 'pipe:' needs a shell command, e.g. 'pipe:php worker.php'");
    }
    return {Kind::pipe, command};
  }
  if (is_blank(spec)) {
    throw std::runtime_error(
        "handler is empty: use echo, exec:COMMAND, pipe:COMMAND or the path of a plugin library");
  }
  return {Kind::plugin, spec};
}

}  // namespace handlers

std::unique_ptr<HandlerRunner> make_handler_runner(std::string_view spec,
                                                   const HandlerOptions& options) {
  const handlers::Spec parsed = handlers::parse_spec(spec);
  switch (parsed.kind) {
    case handlers::Kind::echo:
      return handlers::make_echo_runner();
    case handlers::Kind::exec:
      return handlers::make_exec_runner(std::string(parsed.argument), options);
    case handlers::Kind::pipe:
      return handlers::make_pipe_runner(std::string(parsed.argument), options);
    case handlers::Kind::plugin:
      break;
  }
  return handlers::make_plugin_runner(parsed.argument, options);
}

}  // namespace tasq::taskpool
