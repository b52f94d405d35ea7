// parse_invocation: the command line's flags and CONFIG_FILE, then the
// file's lines and the command line's `--name value` (as the line
// `name "value"`) through the one line parser, then the directive table
// turns the chosen values into the Config.

#include <algorithm>
#include <cctype>
#include <exception>
#include <set>

#include "config_directives.h"
#include "config_lines.h"
#include "tasq/config/config.h"

namespace tasq::config {

namespace {

using detail::Directive;
using detail::Setting;

// What argv holds: the flags, the positional CONFIG_FILE(s), and the
// directives as read by the line parser.
struct CommandLine {
  bool help = false;
  bool version = false;
  bool test_config = false;
  bool fix = false;
  std::optional<std::string> check_journal;
  std::vector<std::string> files;
  std::vector<Setting> settings;
  std::vector<std::string> errors;
};

bool is_option(std::string_view arg) { return arg.size() > 1 && arg.front() == '-'; }

// Sets the flag called `name` (without dashes); false when it is not one.
bool set_flag(CommandLine& line, std::string_view name) {
  if (name == "help") {
    line.help = true;
  } else if (name == "version") {
    line.version = true;
  } else if (name == "test-config") {
    line.test_config = true;
  } else if (name == "fix") {
    line.fix = true;
  } else {
    return false;
  }
  return true;
}

// `--name value` or `--name=value` becomes the config line `name "value"`
// (quoted so that the value arrives whole: spaces, a leading '-', nothing
// at all); `--name` with no value becomes `name`, which the line parser
// reports as a missing value.
void add_directive(CommandLine& line, const std::string& name,
                   const std::optional<std::string>& value) {
  bool plain_name = !name.empty() && name.front() != '#' &&
                    std::none_of(name.begin(), name.end(), [](unsigned char c) {
                      return std::isspace(c) || c == '"' || c == '\'';
                    });
  if (!plain_name) {
    line.errors.push_back("unknown directive '" + name + "'");
    return;
  }
  std::string text = value ? name + " " + detail::quote(*value) : name;
  std::string error;
  if (auto setting = detail::parse_line(text, error)) {
    line.settings.push_back(std::move(*setting));
  } else {
    line.errors.push_back(error);
  }
}

CommandLine read_command_line(int argc, const char* const* argv) {
  CommandLine line;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-h" || arg == "-v") {
      set_flag(line, arg == "-h" ? "help" : "version");
      continue;
    }
    if (arg.substr(0, 2) != "--" || arg.size() == 2) {
      if (is_option(arg)) {
        line.errors.push_back("unknown option '" + std::string(arg) + "'");
      } else {
        line.files.emplace_back(arg);
      }
      continue;
    }
    auto body = arg.substr(2);
    auto equals = body.find('=');
    std::string name(body.substr(0, equals));
    std::optional<std::string> value;
    if (equals != std::string_view::npos) value = std::string(body.substr(equals + 1));

    if (!value && set_flag(line, name)) continue;
    if (value && set_flag(line, name)) {
      line.errors.push_back("--" + name + " takes no value");
      continue;
    }
    // The value is the next argument unless that is another --option; a
    // value that starts with "--" is given as --name=value.
    if (!value && i + 1 < argc && std::string_view(argv[i + 1]).substr(0, 2) != "--") {
      value = argv[++i];
    }
    if (name == "check-journal") {
      if (value) {
        line.check_journal = *value;
      } else {
        line.errors.push_back("check-journal: missing value");
      }
      continue;
    }
    add_directive(line, name, value);
  }
  return line;
}

// The values of `directive` among `settings`, in order.
std::vector<const std::string*> values_of(const Directive& directive,
                                          const std::vector<Setting>& settings) {
  std::vector<const std::string*> values;
  for (const auto& setting : settings) {
    if (setting.directive == &directive) values.push_back(&setting.value);
  }
  return values;
}

// Stores the chosen values into `config` and records which directives were
// given. The command line wins over the file; within one source the last
// value of a directive wins, except that a repeatable one takes all of
// them (and they replace the default). Only chosen values are converted,
// so a bad one that the command line overrides is not an error.
std::vector<std::string> set_directives(const std::vector<Setting>& file,
                                        const std::vector<Setting>& args, Config& config,
                                        std::set<std::string_view>& given) {
  std::vector<std::string> errors;
  for (const auto& directive : detail::directives()) {
    auto values = values_of(directive, args);
    if (values.empty()) values = values_of(directive, file);
    if (values.empty()) continue;
    given.insert(directive.name);
    if (directive.repeatable()) {
      directive.clear(config);
    } else {
      values.erase(values.begin(), values.end() - 1);
    }
    for (const auto* value : values) {
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
void derive_heartbeat(const std::set<std::string_view>& given, Config& config) {
  bool idle_given = given.count("heartbeat_idle_time") != 0;
  bool interval_given = given.count("heartbeat_check_interval") != 0;
  if (!idle_given) {
    config.heartbeat_idle_time = 2 * config.heartbeat_check_interval;
  } else if (!interval_given && config.heartbeat_idle_time.count() > 0) {
    config.heartbeat_check_interval =
        std::max(std::chrono::seconds(1), config.heartbeat_idle_time / 2);
  }
}

void parse(int argc, const char* const* argv, Invocation& invocation) {
  auto args = read_command_line(argc, argv);
  if (!args.errors.empty()) {
    invocation.errors = std::move(args.errors);
    return;
  }
  if (args.help) {
    invocation.action = Invocation::Action::help;
    invocation.help_text = detail::help_text();
    return;
  }
  if (args.version) {
    invocation.action = Invocation::Action::version;
    return;
  }
  if (args.check_journal) {
    invocation.action = Invocation::Action::check_journal;
    invocation.check_journal_file = *args.check_journal;
    invocation.fix_journal = args.fix;
    return;
  }
  if (args.fix) {
    invocation.errors.push_back("--fix is only meaningful with --check-journal FILE");
    return;
  }
  if (args.test_config) invocation.action = Invocation::Action::test_config;

  detail::ParsedText file;
  if (args.files.size() > 1) {
    invocation.errors.push_back("only one CONFIG_FILE may be given; got '" + args.files[0] +
                                "' and '" + args.files[1] + "'");
    return;
  }
  if (!args.files.empty()) {
    invocation.config_file = args.files.front();
    file = detail::read_config_file(invocation.config_file);
    if (!file.errors.empty()) {
      invocation.errors = std::move(file.errors);
      return;
    }
  }

  std::set<std::string_view> given;
  invocation.errors = set_directives(file.settings, args.settings, invocation.config, given);
  if (!invocation.errors.empty()) return;
  derive_heartbeat(given, invocation.config);
  invocation.errors = invocation.config.validate();
}

}  // namespace

Invocation parse_invocation(int argc, const char* const* argv) {
  Invocation invocation;
  try {
    parse(argc, argv, invocation);
  } catch (const std::exception& error) {
    // Nothing above throws but bad_alloc; even then it is one line and not
    // a crash at start.
    invocation.errors.push_back(std::string("cannot read the configuration: ") + error.what());
  }
  return invocation;
}

}  // namespace tasq::config
