#pragma once
// Helpers shared by the parser tests: feeding bytes the way a socket would
// (each chunk from its own short-lived heap buffer, so the sanitizer notices
// a parser that kept pointing into the caller's bytes) and draining commands
// the way a session does (views held across the whole batch, copied only at
// its end, so it notices a parser that moved its buffer inside next()).

#include <algorithm>
#include <cstring>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "tasq/resp/parser.h"

namespace tasq::resp {

// Names the code in gtest's messages (describe() gives two codes one text).
inline void PrintTo(ParseStatus status, std::ostream* os) {
  constexpr const char* kNames[] = {"ok",
                                    "need_more",
                                    "invalid_multibulk_length",
                                    "invalid_bulk_length",
                                    "bulk_too_long",
                                    "request_too_long",
                                    "expected_dollar",
                                    "missing_crlf",
                                    "inline_too_long",
                                    "unbalanced_quotes",
                                    "unauthenticated_multibulk_length",
                                    "unauthenticated_bulk_length"};
  *os << kNames[static_cast<std::size_t>(status)];
}

}  // namespace tasq::resp

namespace tasq::resp::test {

using Command = std::vector<std::string>;

struct Outcome {
  std::vector<Command> commands;
  ParseStatus last = ParseStatus::need_more;
};

/// Hands `chunk` to the parser from a heap copy that is freed right after.
inline void feed_copy(Parser& parser, std::string_view chunk) {
  const std::vector<char> copy(chunk.begin(), chunk.end());
  parser.feed(std::string_view(copy.data(), copy.size()));
}

/// Receives `chunk` through prepare()/commit(), `window` bytes at most per
/// "read", as a session does.
inline void receive(Parser& parser, std::string_view chunk, std::size_t window = 16 * 1024) {
  const std::vector<char> copy(chunk.begin(), chunk.end());
  std::string_view rest(copy.data(), copy.size());
  while (!rest.empty()) {
    auto space = parser.prepare(window);
    const std::size_t n = std::min({space.size(), rest.size(), window});
    std::copy_n(rest.data(), n, space.data());
    parser.commit(n);
    rest.remove_prefix(n);
  }
}

/// Takes every complete command out of the parser, then compacts once.
inline void drain(Parser& parser, Outcome& outcome, bool compact = true) {
  std::vector<std::vector<std::string_view>> batch;
  std::vector<std::string_view> args;
  for (;;) {
    outcome.last = parser.next(args);
    if (outcome.last != ParseStatus::ok) break;
    batch.push_back(args);
  }
  for (const auto& views : batch) outcome.commands.emplace_back(views.begin(), views.end());
  if (compact) parser.compact();
}

/// Feeds `bytes` in one piece and drains.
inline Outcome parse_whole(std::string_view bytes, ParserLimits limits = {}) {
  Parser parser(limits);
  Outcome outcome;
  feed_copy(parser, bytes);
  drain(parser, outcome);
  return outcome;
}

inline std::string multibulk(const Command& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& arg : args) out += "$" + std::to_string(arg.size()) + "\r\n" + arg + "\r\n";
  return out;
}

}  // namespace tasq::resp::test
