// libFuzzer target for tasq::resp::Parser.
//
// The input's last bytes choose a mode, limits and the sizes of the chunks
// the rest is fed in (FuzzedDataProvider takes integers from the end), so a
// seed is readable RESP followed by a few control bytes.
//  - raw: the bytes are parsed once whole and once in chunks; both must give
//    the same commands and the same final status, and while parsing every
//    argument must lie within the bytes fed, an error must stay that error,
//    and buffered()/capacity() must agree with what was fed.
//  - round trip: commands are made from the input, written as multibulk or
//    as quoted inline lines by a small writer, and must come back exactly.

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "tasq/resp/parser.h"

namespace {

using tasq::resp::Parser;
using tasq::resp::ParserLimits;
using tasq::resp::ParseStatus;
using Command = std::vector<std::string>;

struct Outcome {
  std::vector<Command> commands;
  ParseStatus last = ParseStatus::need_more;
};

ParserLimits limits_for(std::uint8_t preset) {
  ParserLimits limits;
  switch (preset % 4) {
    case 0:
      break;  // the defaults, as tasqd runs
    case 1:
      limits.max_bulk_bytes = 16;
      limits.max_request_bytes = 128;
      limits.max_args = 8;
      limits.max_inline_bytes = 32;
      break;
    case 2:  // small enough to reach, with bulks big enough for the in-place path
      limits.max_bulk_bytes = 40000;
      limits.max_request_bytes = 50000;
      limits.max_args = 1000;
      limits.max_inline_bytes = 1024;
      break;
    default:
      limits.max_bulk_bytes = 3;
      limits.max_request_bytes = 3000;
      limits.max_args = 3;
      limits.max_inline_bytes = 3;
      break;
  }
  return limits;
}

// Feeds `stream` to a parser in chunks of the given sizes (cycled; none means
// all at once), draining after each chunk, and checks the invariants.
Outcome run(std::string_view stream, const ParserLimits& limits,
            const std::vector<std::size_t>& sizes, std::uint8_t flags) {
  constexpr std::size_t kReadChunk = 16 * 1024;
  tasq::fuzz::fuzz_input = stream;
  Parser parser(limits);
  Outcome outcome;
  bool failed = false;
  std::size_t fed = 0;
  std::size_t consumed = 0;  // fed bytes the parser no longer holds
  std::size_t round = 0;
  std::vector<std::string_view> args;
  while (fed < stream.size()) {
    std::size_t n = sizes.empty() ? stream.size() : sizes[round % sizes.size()];
    n = std::clamp<std::size_t>(n, 1, stream.size() - fed);
    ++round;

    // Received the way a socket would, each chunk from its own heap copy.
    const std::vector<char> chunk(stream.begin() + static_cast<std::ptrdiff_t>(fed),
                                  stream.begin() + static_cast<std::ptrdiff_t>(fed + n));
    const char* received_end = nullptr;  // one past the last byte in the parser
    std::size_t copied = 0;
    while (copied < n) {
      auto space = parser.prepare(kReadChunk);
      FUZZ_CHECK(space.size() >= kReadChunk);
      const std::size_t take = std::min(space.size(), n - copied);
      std::memcpy(space.data(), chunk.data() + copied, take);
      parser.commit(take);
      copied += take;
      received_end = space.data() + take;
    }
    fed += n;
    FUZZ_CHECK(parser.buffered() == fed - consumed);
    FUZZ_CHECK(parser.buffered() <= parser.capacity());

    std::vector<std::vector<std::string_view>> batch;
    for (;;) {
      const std::size_t held_before = parser.buffered();
      const ParseStatus status = parser.next(args);
      const std::size_t held_after = parser.buffered();
      FUZZ_CHECK(held_after <= held_before);
      if (status == ParseStatus::ok) {
        FUZZ_CHECK(!failed);
        FUZZ_CHECK(!args.empty());
        FUZZ_CHECK(parser.error_message().empty());
        // Every argument lies within the bytes this call consumed.
        const char* first = received_end - held_before;
        const char* last = received_end - held_after;
        std::size_t total = 0;
        for (auto arg : args) {
          FUZZ_CHECK(arg.data() >= first && arg.data() + arg.size() <= last);
          total += arg.size();
        }
        FUZZ_CHECK(total <= held_before - held_after);
        consumed = fed - held_after;
        batch.push_back(args);
        continue;
      }
      if (status == ParseStatus::need_more) {
        FUZZ_CHECK(!failed);
        consumed = fed - held_after;
        break;
      }
      // A protocol error: the same one from now on, with a message, and
      // nothing consumed after it (bytes skipped before it may be).
      if (failed) {
        FUZZ_CHECK(status == outcome.last);
        FUZZ_CHECK(held_after == held_before);
      }
      failed = true;
      outcome.last = status;
      FUZZ_CHECK(!parser.error_message().empty());
      consumed = fed - held_after;
      break;
    }
    if (!failed) outcome.last = ParseStatus::need_more;
    // Views are read only now, after the whole batch: next() must not move them.
    for (const auto& views : batch) outcome.commands.emplace_back(views.begin(), views.end());

    if ((flags & 1) == 0 || round % 3 == 0) {
      const std::size_t held = parser.buffered();
      parser.compact();
      FUZZ_CHECK(parser.buffered() == held);
      // What compact() keeps follows what is held and what is announced.
      const std::size_t big = limits.max_bulk_bytes >= 32 * 1024 ? limits.max_bulk_bytes + 2 : 0;
      FUZZ_CHECK(parser.capacity() <=
                 std::max<std::size_t>(64 * 1024, 4 * (held + big + kReadChunk)));
    }
  }
  if (failed) {
    std::vector<std::string_view> more;
    parser.feed("*1\r\n$4\r\nPING\r\nPING\r\n");
    FUZZ_CHECK(parser.next(more) == outcome.last);
  }
  return outcome;
}

std::vector<std::size_t> chunk_sizes(FuzzedDataProvider& input) {
  std::vector<std::size_t> sizes(input.ConsumeIntegralInRange<std::size_t>(0, 8));
  for (auto& size : sizes) {
    const auto raw = input.ConsumeIntegral<std::uint16_t>();
    // Mostly small cuts, sometimes large ones.
    size = (raw & 0x8000) != 0 ? (raw & 0x7fff) : 1 + (raw & 0x3f);
  }
  return sizes;
}

void check_raw(FuzzedDataProvider& input) {
  const ParserLimits limits = limits_for(input.ConsumeIntegral<std::uint8_t>());
  const auto flags = input.ConsumeIntegral<std::uint8_t>();
  const auto sizes = chunk_sizes(input);
  const std::string stream = input.ConsumeRemainingBytesAsString();
  const Outcome whole = run(stream, limits, {}, flags);
  const Outcome chunked = run(stream, limits, sizes, flags);
  FUZZ_CHECK(whole.commands == chunked.commands);
  FUZZ_CHECK(whole.last == chunked.last);
}

// --- round trip -------------------------------------------------------------

std::string write_multibulk(const Command& command) {
  std::string out = "*" + std::to_string(command.size()) + "\r\n";
  for (const auto& arg : command) out += "$" + std::to_string(arg.size()) + "\r\n" + arg + "\r\n";
  return out;
}

bool is_plain(std::string_view arg) {
  return !arg.empty() && std::all_of(arg.begin(), arg.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// One argument of an inline line, in one of the spellings Redis reads.
void write_inline_arg(std::string& out, std::string_view arg, std::uint8_t style) {
  if (style % 3 == 0 && is_plain(arg)) {
    out += arg;
    return;
  }
  // Single quotes take bytes as they are, so no LF (it would end the line),
  // no NUL (a line holding one never ends, as in Redis) and no backslash (it
  // could escape the closing quote).
  if (style % 3 == 1 &&
      arg.find_first_of(std::string_view("\\\n\0", 3)) == std::string_view::npos) {
    out += '\'';
    for (char c : arg) {
      if (c == '\'') out += '\\';
      out += c;
    }
    out += '\'';
    return;
  }
  constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : arg) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n' && (style & 4) != 0) {
      out += "\\n";
    } else if (byte >= 0x20 && byte < 0x7f) {
      out += c;
    } else {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
  out += '"';
}

void check_round_trip(FuzzedDataProvider& input) {
  const ParserLimits limits;  // as tasqd runs
  const auto flags = input.ConsumeIntegral<std::uint8_t>();
  const auto sizes = chunk_sizes(input);
  std::vector<Command> commands(input.ConsumeIntegralInRange<std::size_t>(1, 8));
  std::string stream;
  bool big_used = false;
  for (auto& command : commands) {
    command.resize(input.ConsumeIntegralInRange<std::size_t>(1, 6));
    for (auto& arg : command) {
      const auto kind = input.ConsumeIntegral<std::uint8_t>();
      if (kind < 2 && !big_used) {  // one big bulk per input, to reach the in-place path
        big_used = true;
        arg.assign(input.ConsumeIntegralInRange<std::size_t>(30 * 1024, 200 * 1024),
                   static_cast<char>(kind * 37));
        if (!arg.empty()) arg.back() = '\r';
      } else {
        arg = input.ConsumeBytesAsString(input.ConsumeIntegralInRange<std::size_t>(0, 48));
      }
    }
    switch (input.ConsumeIntegralInRange<int>(0, 5)) {  // what Redis skips between commands
      case 1:
        stream += "*0\r\n";
        break;
      case 2:
        stream += "*-1\r\n";
        break;
      case 3:
        stream += "\r\n";
        break;
      case 4:
        stream += " \t\n";
        break;
      default:
        break;
    }
    std::string line;
    if (input.ConsumeBool()) {
      const auto style = input.ConsumeIntegral<std::uint8_t>();
      for (std::size_t i = 0; i < command.size(); ++i) {
        if (i > 0) line += ' ';
        write_inline_arg(line, command[i], static_cast<std::uint8_t>(style >> (i % 6)));
      }
    }
    if (!line.empty() && line.front() != '*' && line.size() <= limits.max_inline_bytes) {
      stream += line;
      stream += (flags & 2) != 0 ? "\n" : "\r\n";
    } else {
      stream += write_multibulk(command);
    }
  }

  const Outcome outcome = run(stream, limits, sizes, flags);
  FUZZ_CHECK(outcome.last == ParseStatus::need_more);
  FUZZ_CHECK(outcome.commands == commands);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  if ((input.ConsumeIntegral<std::uint8_t>() & 1) == 0) {
    check_raw(input);
  } else {
    check_round_trip(input);
  }
  return 0;
}
