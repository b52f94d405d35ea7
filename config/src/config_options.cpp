#include "config_options.h"

#include <algorithm>
#include <boost/program_options/value_semantic.hpp>
#include <sstream>
#include <vector>

#include "config_directives.h"

namespace tasq::config::detail {
namespace {

namespace po = boost::program_options;

constexpr unsigned kLineLength = 100;

// `SIZE (=64m)`: the default beside the value, as Program_options shows
// its own defaults. (Ours are not Program_options defaults: those would be
// stored as if given and hide whether the file or the command line set one.)
std::string value_name(const Directive& directive) {
  std::string name(directive.arg);
  if (directive.default_text == kDefaultInMeaning) return name;
  std::string fallback = directive.default_text.empty() ? directive.get(Config{}, true)
                                                        : std::string(directive.default_text);
  if (!fallback.empty()) name += " (=" + fallback + ")";
  return name;
}

Options build() {
  Options built{po::options_description(kLineLength, kLineLength / 2),
                po::options_description(kLineLength, kLineLength / 2),
                po::options_description(kLineLength, kLineLength / 2),
                {}};

  // One section per group, in the table's order.
  std::vector<std::string_view> group_names;
  for (const auto& directive : directives()) {
    if (std::find(group_names.begin(), group_names.end(), directive.group) == group_names.end()) {
      group_names.push_back(directive.group);
    }
  }
  for (auto group_name : group_names) {
    po::options_description group(std::string(group_name), kLineLength, kLineLength / 2);
    for (const auto& directive : directives()) {
      if (directive.group != group_name) continue;
      // Every directive takes one value per occurrence and may occur again:
      // the last one wins unless the directive is repeatable (as redis.conf).
      group.add_options()(std::string(directive.name).c_str(),
                          po::value<std::vector<std::string>>()->value_name(value_name(directive)),
                          std::string(directive.meaning).c_str());
    }
    built.directives.add(group);
    built.visible.add(group);
  }

  po::options_description flags("Other options", kLineLength, kLineLength / 2);
  flags.add_options()("help,h", "show this help and exit")("version,v",
                                                           "show the version and exit")(
      "test-config", "check the configuration, report every problem, and exit (0 when valid)")(
      "check-journal", po::value<std::string>()->value_name("FILE"),
      "check a journal file, report what it holds and any damage, and exit (0 when sound)")(
      "fix", "with --check-journal: cut the file at its first damage");
  po::options_description hidden;
  hidden.add_options()(kConfigFileOption, po::value<std::vector<std::string>>());

  built.visible.add(flags);
  built.command_line.add(built.directives).add(flags).add(hidden);
  built.positional.add(kConfigFileOption, -1);
  return built;
}

}  // namespace

const Options& options() {
  static const Options built = build();
  return built;
}

int command_line_style() {
  namespace style = po::command_line_style;
  return style::allow_long | style::long_allow_adjacent | style::long_allow_next |
         style::allow_short | style::short_allow_next | style::allow_dash_for_short;
}

std::string help_text() {
  std::ostringstream out;
  out << "Usage: tasqd [CONFIG_FILE] [--directive value ...]\n"
         "\n"
         "Every directive below is a line `directive value` in CONFIG_FILE (# starts a comment;\n"
         "\"double quote\" a value to keep leading or trailing spaces) and an option --directive\n"
         "value or --directive=value; the command line wins over the file. Sizes are bytes or\n"
         "take k, m or g (powers of 1024); times are whole seconds; switches are yes or no.\n"
      << options().visible;
  return out.str();
}

}  // namespace tasq::config::detail
