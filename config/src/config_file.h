#pragma once
// Reads a redis.conf-style file into `--directive=value` tokens for the
// same options description the command line goes through.

#include <string>
#include <string_view>
#include <vector>

namespace tasq::config::detail {

struct FileTokens {
  std::vector<std::string> tokens;  ///< `--name=value`, one per directive line
  std::vector<std::string> errors;  ///< "line N: ..." or "cannot read config file ..."
};

/// Splits `text` into lines: blank lines and `#` comments are skipped; a
/// line is `name value`, where value is the rest of the line, or one
/// "double" or 'single' quoted string. Names are matched case-insensitively
/// against the directive table; an unknown one is an error naming its line.
FileTokens tokenize_config(std::string_view text);

/// Reads `path` (at most 1 MiB) and tokenizes it.
FileTokens read_config_file(const std::string& path);

}  // namespace tasq::config::detail
