#include "config_lines.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace tasq::config::detail {
namespace {

// A config file is a few kilobytes; the cap keeps `tasqd /dev/zero` from
// eating memory.
constexpr std::size_t kMaxFileBytes = 1 << 20;

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// Reads a quoted string at the start of `text` (Redis's conventions: in
// double quotes \n \r \t \" \\ are escapes and any other \c is c; in single
// quotes only \' is). Returns the value, or nullopt and the reason.
std::optional<std::string> unquote(std::string_view text, std::string& why) {
  char quote = text.front();
  std::string value;
  std::size_t i = 1;
  for (; i < text.size() && text[i] != quote; ++i) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      char next = text[i + 1];
      if (quote == '\'') {
        if (next == '\'') {
          value += next;
          ++i;
          continue;
        }
      } else {
        ++i;
        switch (next) {
          case 'n':
            value += '\n';
            break;
          case 'r':
            value += '\r';
            break;
          case 't':
            value += '\t';
            break;
          default:
            value += next;
            break;
        }
        continue;
      }
    }
    value += c;
  }
  if (i >= text.size()) {
    why = "unbalanced quotes";
    return std::nullopt;
  }
  if (!trim(text.substr(i + 1)).empty()) {
    why = "text after the closing quote";
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::optional<Setting> parse_line(std::string_view line, std::string& error) {
  line = trim(line);
  if (line.empty() || line.front() == '#') return std::nullopt;

  auto name_end = std::find_if(line.begin(), line.end(), is_space);
  std::string name(line.begin(), name_end);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto rest = trim(line.substr(name.size()));

  const Directive* directive = find_directive(name);
  if (directive == nullptr) {
    error = "unknown directive '" + name + "'";
    return std::nullopt;
  }
  if (rest.empty()) {
    error = name + ": missing value";
    return std::nullopt;
  }
  if (rest.front() != '"' && rest.front() != '\'') return Setting{directive, std::string(rest)};
  std::string why;
  auto unquoted = unquote(rest, why);
  if (!unquoted) {
    error = name + ": " + why;
    return std::nullopt;
  }
  return Setting{directive, std::move(*unquoted)};
}

ParsedText parse_config_text(std::string_view text) {
  ParsedText out;
  // A UTF-8 byte order mark, as some editors write, is not part of line 1.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    auto end = text.find('\n');
    auto line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    std::string error;
    if (auto setting = parse_line(line, error)) {
      out.settings.push_back(std::move(*setting));
    } else if (!error.empty()) {
      out.errors.push_back("line " + std::to_string(line_number) + ": " + error);
    }
  }
  return out;
}

ParsedText read_config_file(const std::string& path) {
  auto fail = [&](const std::string& reason) {
    ParsedText out;
    out.errors.push_back("cannot read config file " + path + ": " + reason);
    return out;
  };
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!file) return fail(std::strerror(errno));
  std::string text(kMaxFileBytes + 1, '\0');
  std::size_t got = std::fread(text.data(), 1, text.size(), file.get());
  if (std::ferror(file.get())) return fail(std::strerror(errno));
  if (got > kMaxFileBytes) return fail("larger than 1 MiB");
  text.resize(got);
  return parse_config_text(text);
}

std::string quote(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    switch (c) {
      case '"':
      case '\\':
        out += '\\';
        out += c;
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
  return out + "\"";
}

}  // namespace tasq::config::detail
