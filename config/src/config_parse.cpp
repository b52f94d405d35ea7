// parse_invocation: the command line, then the config file under it, then
// the directive table turns the strings into the Config.

#include <algorithm>
#include <boost/program_options/errors.hpp>
#include <boost/program_options/parsers.hpp>
#include <boost/program_options/variables_map.hpp>
#include <exception>

#include "config_directives.h"
#include "config_file.h"
#include "config_options.h"
#include "tasq/config/config.h"

namespace tasq::config {
namespace {

namespace po = boost::program_options;
using detail::options;

std::string strip_dashes(std::string name) {
  return name.substr(std::min(name.find_first_not_of('-'), name.size()));
}

// Program_options' messages name options with dashes and its own words;
// ours name the directive first, as every other config error does.
std::string describe(const po::error& error) {
  if (const auto* unknown = dynamic_cast<const po::unknown_option*>(&error)) {
    auto name = unknown->get_option_name();
    if (name.rfind("--", 0) == 0) return "unknown directive '" + strip_dashes(name) + "'";
    return "unknown option '" + name + "'";
  }
  if (const auto* syntax = dynamic_cast<const po::invalid_command_line_syntax*>(&error)) {
    if (syntax->kind() == po::invalid_syntax::missing_parameter) {
      return strip_dashes(syntax->get_option_name()) + ": missing value";
    }
  }
  return error.what();
}

// Program_options refuses `--name=` with nothing after the '=', which is how
// an empty value is written (`--requirepass=`, or `requirepass ""` in the
// file); given as its own token the empty value is taken.
std::vector<std::string> split_empty_values(std::vector<std::string> args) {
  std::vector<std::string> out;
  out.reserve(args.size());
  for (auto& arg : args) {
    if (arg.size() > 3 && arg.rfind("--", 0) == 0 && arg.find('=') == arg.size() - 1) {
      arg.pop_back();
      out.push_back(std::move(arg));
      out.emplace_back();
    } else {
      out.push_back(std::move(arg));
    }
  }
  return out;
}

// Stores every directive the variables hold into `config`: the last value
// of a directive wins, except that a repeatable one takes all of them.
std::vector<std::string> set_directives(const po::variables_map& variables, Config& config) {
  std::vector<std::string> errors;
  for (const auto& directive : detail::directives()) {
    auto found = variables.find(std::string(directive.name));
    if (found == variables.end()) continue;
    const auto& values = found->second.as<std::vector<std::string>>();
    if (values.empty()) continue;
    if (directive.repeatable()) directive.clear(config);
    auto first = directive.repeatable() ? values.begin() : values.end() - 1;
    for (auto value = first; value != values.end(); ++value) {
      auto wrong = directive.set(config, *value);
      if (!wrong.empty()) {
        errors.push_back(std::string(directive.name) + ": " + wrong + ": '" + *value + "'");
        break;
      }
    }
  }
  return errors;
}

// Swoole's rule for the idle time (twice the interval), and ours for the
// idle time given alone: the sweeps run at half of it, so it is never ignored.
void derive_heartbeat(const po::variables_map& variables, Config& config) {
  bool idle_given = variables.count("heartbeat_idle_time") != 0;
  bool interval_given = variables.count("heartbeat_check_interval") != 0;
  if (!idle_given) {
    config.heartbeat_idle_time = 2 * config.heartbeat_check_interval;
  } else if (!interval_given && config.heartbeat_idle_time.count() > 0) {
    config.heartbeat_check_interval =
        std::max(std::chrono::seconds(1), config.heartbeat_idle_time / 2);
  }
}

// Runs `tokens` through `description` into `variables`, the same way for
// the command line and for the config file's lines; false (with the one
// error line in `errors`) when they do not parse.
bool store_tokens(std::vector<std::string> tokens, const po::options_description& description,
                  const po::positional_options_description* positional,
                  po::variables_map& variables, std::vector<std::string>& errors) {
  try {
    po::command_line_parser parser(split_empty_values(std::move(tokens)));
    parser.options(description).style(detail::command_line_style());
    if (positional != nullptr) parser.positional(*positional);
    po::store(parser.run(), variables);
  } catch (const po::error& error) {
    errors.push_back(describe(error));
    return false;
  }
  return true;
}

void parse(int argc, const char* const* argv, Invocation& invocation) {
  po::variables_map variables;
  std::vector<std::string> args(argv + std::min(argc, 1), argv + std::max(argc, 0));
  if (!store_tokens(std::move(args), options().command_line, &options().positional, variables,
                    invocation.errors)) {
    return;
  }
  if (variables.count("help")) {
    invocation.action = Invocation::Action::help;
    invocation.help_text = detail::help_text();
    return;
  }
  if (variables.count("version")) {
    invocation.action = Invocation::Action::version;
    return;
  }
  if (variables.count("check-journal")) {
    invocation.action = Invocation::Action::check_journal;
    invocation.check_journal_file = variables["check-journal"].as<std::string>();
    invocation.fix_journal = variables.count("fix") > 0;
    return;
  }
  if (variables.count("fix")) {
    invocation.errors.push_back("--fix is only meaningful with --check-journal FILE");
    return;
  }
  if (variables.count("test-config")) invocation.action = Invocation::Action::test_config;

  if (variables.count(detail::kConfigFileOption)) {
    const auto& files = variables[detail::kConfigFileOption].as<std::vector<std::string>>();
    if (files.size() > 1) {
      invocation.errors.push_back("only one CONFIG_FILE may be given; got '" + files[0] +
                                  "' and '" + files[1] + "'");
      return;
    }
    invocation.config_file = files.front();
    auto file = detail::read_config_file(invocation.config_file);
    if (!file.errors.empty()) {
      invocation.errors = std::move(file.errors);
      return;
    }
    // Stored after the command line: Program_options keeps the first
    // source's value of each option, so the command line wins.
    if (!store_tokens(std::move(file.tokens), options().directives, nullptr, variables,
                      invocation.errors)) {
      return;
    }
  }

  invocation.errors = set_directives(variables, invocation.config);
  if (!invocation.errors.empty()) return;
  derive_heartbeat(variables, invocation.config);
  invocation.errors = invocation.config.validate();
}

}  // namespace

Invocation parse_invocation(int argc, const char* const* argv) {
  Invocation invocation;
  try {
    parse(argc, argv, invocation);
  } catch (const std::exception& error) {
    // Nothing above should throw past its own handlers; if something does
    // (bad_alloc), it is still one line and not a crash at start.
    invocation.errors.push_back(std::string("cannot read the configuration: ") + error.what());
  }
  return invocation;
}

}  // namespace tasq::config
