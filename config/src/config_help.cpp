// tasqd --help, made from the directive table: each directive with its
// value placeholder, its default and its bounds, grouped as the table is.

#include <string>
#include <string_view>

#include "config_directives.h"
#include "config_values.h"

namespace tasq::config::detail {
namespace {

constexpr std::size_t kLineLength = 100;
// Descriptions start here, or on the next line after a longer option.
constexpr std::size_t kDescriptionColumn = 44;

std::string number_text(const Directive& directive, std::uint64_t value) {
  return directive.number_kind == NumberKind::size ? format_size(value) : std::to_string(value);
}

// " (1..256)", " (at most 64g)", " (at least 1m)", or nothing.
std::string bounds_text(const Directive& directive) {
  if (directive.number_kind == NumberKind::none) return {};
  bool has_min = directive.min > 0;
  bool has_max = directive.max != kNoMax;
  if (has_min && has_max) {
    return " (" + number_text(directive, directive.min) + ".." +
           number_text(directive, directive.max) + ")";
  }
  if (has_max) return " (at most " + number_text(directive, directive.max) + ")";
  if (has_min) return " (at least " + number_text(directive, directive.min) + ")";
  return {};
}

// `  OPTION  description`, the description wrapped at kLineLength under
// its own column.
void add_entry(std::string& out, const std::string& option, std::string_view description) {
  std::string line = "  " + option;
  if (line.size() + 2 > kDescriptionColumn) {
    out += line + "\n";
    line.clear();
  }
  line.resize(kDescriptionColumn, ' ');
  std::size_t width = kLineLength - kDescriptionColumn;
  while (!description.empty()) {
    std::size_t take = description.size();
    if (take > width) {
      auto space = description.rfind(' ', width);
      take = space == std::string_view::npos || space == 0 ? width : space;
    }
    line += description.substr(0, take);
    out += line + "\n";
    description.remove_prefix(take);
    while (!description.empty() && description.front() == ' ') description.remove_prefix(1);
    line.assign(kDescriptionColumn, ' ');
  }
}

}  // namespace

std::string help_text() {
  std::string out =
      "Usage: tasqd [CONFIG_FILE] [--directive value ...]\n"
      "\n"
      "Every directive below is a line `directive value` in CONFIG_FILE (# starts a comment;\n"
      "\"double quote\" a value to keep leading or trailing spaces) and an option --directive\n"
      "value or --directive=value; the command line wins over the file. Sizes are bytes or\n"
      "take k, m or g (powers of 1024); times are whole seconds; switches are yes or no.\n";
  std::string_view group;
  for (const auto& directive : directives()) {
    if (directive.group != group) {
      group = directive.group;
      out += "\n" + std::string(group) + ":\n";
    }
    std::string option = "--" + std::string(directive.name) + " " + std::string(directive.arg);
    if (!directive.default_value.empty())
      option += " (=" + std::string(directive.default_value) + ")";
    add_entry(out, option, std::string(directive.help) + bounds_text(directive));
  }
  out += "\nOther options:\n";
  add_entry(out, "-h, --help", "show this help and exit");
  add_entry(out, "-v, --version", "show the version and exit");
  add_entry(out, "--test-config",
            "check the configuration, report every problem, and exit (0 when valid)");
  add_entry(out, "--check-journal FILE",
            "check a journal file, report what it holds and any damage, and exit (0 when sound)");
  add_entry(out, "--fix", "with --check-journal: cut the file at its first damage");
  return out;
}

}  // namespace tasq::config::detail
