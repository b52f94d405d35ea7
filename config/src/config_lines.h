#pragma once
// The one parser of config lines, `name value`, for the config file and for
// the command line alike: `--name value` is turned into the line
// `name "value"` and read here, as Redis reads its argv as config text.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config_directives.h"

namespace tasq::config::detail {

/// One directive line, read but not yet converted.
struct Setting {
  const Directive* directive = nullptr;
  std::string value;
};

struct ParsedText {
  std::vector<Setting> settings;    ///< in the order of the lines
  std::vector<std::string> errors;  ///< "line N: ..." or "cannot read config file ..."
};

/// Reads one line: blank lines and `#` comments give nullopt and no error;
/// otherwise the line is `name value`, where value is the rest of the line,
/// or one "double" or 'single' quoted string. The name is matched
/// case-insensitively against the directive table. On a problem returns
/// nullopt and sets `error` ("unknown directive 'x'", "daemonize: missing
/// value").
std::optional<Setting> parse_line(std::string_view line, std::string& error);

/// Reads config text line by line; each error names its line.
ParsedText parse_config_text(std::string_view text);

/// Reads `path` (at most 1 MiB) as config text.
ParsedText read_config_file(const std::string& path);

/// `value` in double quotes, escaped so that parse_line reads it back
/// exactly (spaces, quotes, backslashes, line breaks, an empty value).
std::string quote(std::string_view value);

}  // namespace tasq::config::detail
