#include "tasq/results/stream_args.h"

#include <cctype>
#include <string>

namespace tasq::results {
namespace {

constexpr std::string_view kSyntaxError = "ERR syntax error";
constexpr std::string_view kNotInteger = "ERR value is not an integer or out of range";

// strcasecmp on the C string Redis sees.
bool word_is(std::string_view arg, std::string_view upper) {
  arg = c_string(arg);
  if (arg.size() != upper.size()) return false;
  for (std::size_t i = 0; i < arg.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(arg[i])) != upper[i]) return false;
  }
  return true;
}

}  // namespace

ParseResult<XreadArgs> parse_xread(std::span<const std::string_view> args) {
  XreadArgs out;
  std::size_t streams_at = 0;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const bool more = i + 1 < args.size();
    if (word_is(args[i], "BLOCK") && more) {
      auto ms = parse_strict_int(args[++i]);
      if (!ms) return std::string("ERR timeout is not an integer or out of range");
      if (*ms < 0) return std::string("ERR timeout is negative");
      out.block_ms = *ms;
    } else if (word_is(args[i], "COUNT") && more) {
      auto count = parse_strict_int(args[++i]);
      if (!count) return std::string(kNotInteger);
      out.count = *count < 0 ? 0 : static_cast<std::uint64_t>(*count);
    } else if (word_is(args[i], "STREAMS") && more) {
      streams_at = i + 1;
      if ((args.size() - streams_at) % 2 != 0) {
        return std::string(
            "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be "
            "specified.");
      }
      break;
    } else if (word_is(args[i], "GROUP") && args.size() - i - 1 >= 2) {
      return std::string(
          "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
    } else if (word_is(args[i], "NOACK")) {
      return std::string(
          "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
    } else {
      return std::string(kSyntaxError);
    }
  }
  if (streams_at == 0) return std::string(kSyntaxError);
  const std::size_t streams = (args.size() - streams_at) / 2;
  out.keys = args.subspan(streams_at, streams);
  out.from.reserve(streams);
  for (std::string_view text : args.subspan(streams_at + streams)) {
    const std::string_view seen = c_string(text);
    if (seen == "$") {
      out.from.push_back({{}, true});
    } else if (seen == ">") {
      return std::string(
          "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> "
          "<consumer> option.");
    } else if (auto id = parse_id(text, 0, true)) {
      out.from.push_back({*id, false});
    } else {
      return std::string(kInvalidIdError);
    }
  }
  return out;
}

ParseResult<XrangeArgs> parse_xrange(std::span<const std::string_view> args, bool reverse) {
  XrangeArgs out;
  out.key = args[1];
  const std::string_view start_text = reverse ? args[3] : args[2];
  const std::string_view end_text = reverse ? args[2] : args[3];
  auto start = parse_interval_bound(start_text, 0);
  if (!start) return std::string(kInvalidIdError);
  if (start->exclusive) {
    auto after = next_id(start->id);
    if (!after) return std::string(kInvalidStartError);
    start->id = *after;
  }
  auto end = parse_interval_bound(end_text, UINT64_MAX);
  if (!end) return std::string(kInvalidIdError);
  if (end->exclusive) {
    auto before = previous_id(end->id);
    if (!before) return std::string(kInvalidEndError);
    end->id = *before;
  }
  out.start = start->id;
  out.end = end->id;
  for (std::size_t j = 4; j < args.size(); ++j) {
    if (word_is(args[j], "COUNT") && j + 1 < args.size()) {
      auto count = parse_strict_int(args[++j]);
      if (!count) return std::string(kNotInteger);
      out.count = *count < 0 ? 0 : static_cast<std::uint64_t>(*count);
    } else {
      return std::string(kSyntaxError);
    }
  }
  return out;
}

}  // namespace tasq::results
