#pragma once
// Incremental RESP2 request parser: multibulk (`*N\r\n$L\r\n...`) and inline
// (`PING\r\n`) commands, pipelined, with bytes arriving in any split.
//
// The parser owns its read buffer so that the network layer can read straight
// into it (prepare/commit) and complete commands come out as views into that
// buffer: a payload is copied by the kernel into the buffer and from there
// once more, into the ring, never in between.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace tasq::resp {

/// Hard bounds on what one client can make the parser hold. Every bound is
/// a protocol error, never an allocation.
struct ParserLimits {
  std::size_t max_bulk_bytes = 2 * 1024 * 1024;     ///< one bulk string (package_max_length)
  std::size_t max_request_bytes = 2 * 1024 * 1024 + 64 * 1024;  ///< one whole command
  std::size_t max_args = 1024 * 1024;                ///< arguments of one command
  std::size_t max_inline_bytes = 64 * 1024;          ///< one inline command line
};

/// One code, one meaning: `need_more` is the only result after which parsing
/// may continue; every other non-ok code is a protocol error.
enum class ParseStatus : std::uint8_t {
  ok,
  need_more,
  invalid_multibulk_length,  ///< `*` count not a number, negative beyond -1, or over max_args
  invalid_bulk_length,       ///< `$` length not a number or negative
  bulk_too_long,             ///< `$` length over max_bulk_bytes
  request_too_long,          ///< the whole command over max_request_bytes
  expected_dollar,           ///< an argument that does not start with `$`
  missing_crlf,              ///< a bulk not followed by CRLF
  inline_too_long,           ///< inline line over max_inline_bytes without a newline
  unbalanced_quotes,         ///< inline line with an unterminated quote
};

/// The text that follows "Protocol error: " in the reply, in Redis's words
/// where Redis has words for it (e.g. "invalid bulk length").
std::string_view describe(ParseStatus status);

class Parser {
 public:
  explicit Parser(ParserLimits limits = {});

  /// Writable space at the end of the buffer, at least `min_bytes` long.
  /// Invalidates the views of earlier commands.
  std::span<char> prepare(std::size_t min_bytes = 16 * 1024);
  /// Marks `n` bytes of the last prepare() as received.
  void commit(std::size_t n);
  /// prepare + copy + commit, for tests and for callers that already hold bytes.
  void feed(std::string_view bytes);

  /// Parses the next complete command out of the buffered bytes. On `ok`,
  /// `args` holds the arguments (never empty: an empty inline line or `*0`
  /// is skipped, as Redis does) as views into the buffer, valid until the
  /// next prepare(), feed() or compact(). After a protocol error the parser
  /// keeps returning that error.
  ParseStatus next(std::vector<std::string_view>& args);

  /// Drops the bytes of commands already returned. Call once per batch of
  /// next() calls, not per command. Gives memory back when a large buffer is
  /// no longer needed.
  void compact();

  /// Bytes received and not yet returned as part of a command.
  [[nodiscard]] std::size_t buffered() const;
  /// Bytes the buffer currently holds allocated (for memory accounting).
  [[nodiscard]] std::size_t capacity() const;

 private:
  // Implementation state (buffer, offsets of the command in progress, ...).
  // See parser.cpp.
  struct Arg {
    std::size_t offset;
    std::size_t length;
  };
  enum class State : std::uint8_t { start, multibulk_arg_header, multibulk_arg_body, failed };

  ParseStatus parse_inline(std::vector<std::string_view>& args);
  ParseStatus parse_multibulk(std::vector<std::string_view>& args);
  ParseStatus fail(ParseStatus status);

  ParserLimits limits_;
  std::vector<char> buf_;
  std::size_t begin_ = 0;   // first byte not yet returned as a command
  std::size_t pos_ = 0;     // parse position within the command in progress
  std::size_t end_ = 0;     // one past the last received byte
  State state_ = State::start;
  ParseStatus error_ = ParseStatus::ok;
  std::size_t args_expected_ = 0;
  std::size_t bulk_length_ = 0;
  std::vector<Arg> args_;
};

}  // namespace tasq::resp
