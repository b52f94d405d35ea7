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
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tasq::resp {

/// Hard bounds on what one client can make the parser hold. Every bound is
/// a protocol error, never an allocation. A multibulk command is bounded by
/// the first three, an inline one by max_inline_bytes alone.
struct ParserLimits {
  std::size_t max_bulk_bytes = 2 * 1024 * 1024;  ///< one bulk string (package_max_length)
  std::size_t max_request_bytes = 2 * 1024 * 1024 + 64 * 1024;  ///< one whole command
  std::size_t max_args = 1024 * 1024;                           ///< arguments of one command
  std::size_t max_inline_bytes = 64 * 1024;                     ///< one inline command line
  /// Before the client has authenticated (Redis's fixed bounds, applied
  /// only while set_authenticated(false)): arguments of one multibulk, and
  /// one bulk's bytes.
  std::size_t unauthenticated_max_args = 10;
  std::size_t unauthenticated_max_bulk_bytes = 16 * 1024;
};

/// One code, one meaning: `need_more` is the only result after which parsing
/// may continue; every other non-ok code is a protocol error.
enum class ParseStatus : std::uint8_t {
  ok,
  need_more,
  invalid_multibulk_length,  ///< `*` count not a number or over max_args (`*0`, `*-N`: skipped)
  invalid_bulk_length,       ///< `$` length not a number or negative
  bulk_too_long,             ///< `$` length over max_bulk_bytes
  request_too_long,          ///< the whole command over max_request_bytes
  expected_dollar,           ///< an argument that does not start with `$`
  missing_crlf,              ///< a bulk not followed by CRLF
  inline_too_long,           ///< inline line (without its CRLF) over max_inline_bytes, or a
                             ///< NUL before its end and more than that many bytes buffered
  unbalanced_quotes,         ///< inline line with an unterminated quote
  unauthenticated_multibulk_length,  ///< `*` count over unauthenticated_max_args, before AUTH
  unauthenticated_bulk_length,  ///< `$` length over unauthenticated_max_bulk_bytes, before AUTH
};

/// The text that follows "Protocol error: " in the reply, in Redis's words
/// where Redis has words for it (e.g. "invalid bulk length").
/// For `expected_dollar` the offending byte is not known here; see
/// Parser::error_message() for the full text.
std::string_view describe(ParseStatus status);

class Parser {
 public:
  explicit Parser(ParserLimits limits = {});

  /// Writable space at the end of the buffer, at least `min_bytes` long.
  /// Invalidates the views of earlier commands. The span stays valid until
  /// commit() or the next prepare()/feed(): next() and compact() may run
  /// while a read into it is in flight.
  std::span<char> prepare(std::size_t min_bytes = 16 * 1024);
  /// Marks `n` bytes of the last prepare() as received (0 is fine: a read
  /// that got nothing).
  void commit(std::size_t n);
  /// prepare + copy + commit, for tests and for callers that already hold bytes.
  void feed(std::string_view bytes);

  /// Whether the client has authenticated: until it has, the
  /// unauthenticated_* bounds apply to the commands parsed next (true at
  /// construction: a server without requirepass never calls it).
  void set_authenticated(bool authenticated) { authenticated_ = authenticated; }

  /// Parses the next complete command out of the buffered bytes. On `ok`,
  /// `args` holds the arguments (never empty: an empty inline line, `*0` or
  /// `*-1` is skipped, as Redis does) as views into the buffer, valid until the
  /// next prepare(), feed() or compact(). After a protocol error the parser
  /// keeps returning that error.
  ParseStatus next(std::vector<std::string_view>& args);

  /// Drops the bytes of commands already returned. Call once per batch of
  /// next() calls, not per command. Gives memory back when a large buffer is
  /// no longer needed. Invalidates the views of earlier commands; while a
  /// prepared span awaits its commit() the bytes are left where they are.
  void compact();

  /// The text for the error next() returned, in full: describe() plus what
  /// only the parser knows (the byte found where `$` was expected). Empty
  /// while there is no error.
  [[nodiscard]] std::string error_message() const;

  /// Bytes received and not yet returned as part of a command.
  [[nodiscard]] std::size_t buffered() const;
  /// Bytes the buffer currently holds allocated (for memory accounting).
  [[nodiscard]] std::size_t capacity() const;

 private:
  // The argument of the command in progress, as a position relative to the
  // command's first byte: the buffer may move while a command arrives, and
  // offsets survive that where pointers would not.
  struct Arg {
    std::size_t offset;
    std::size_t length;
  };
  enum class State : std::uint8_t {
    start,            // between commands
    inline_line,      // waiting for the newline of an inline command
    inline_nul,       // an inline command with a NUL before its newline: never ends
    multibulk_count,  // waiting for the `*N` line
    arg_header,       // waiting for an argument's `$L` line
    arg_body,         // waiting for an argument's bytes and their CRLF
    failed,           // a protocol error; sticky
  };
  // What one step of the state machine achieved.
  enum class Step : std::uint8_t { advanced, need_more, command, failed };
  enum class LineResult : std::uint8_t { found, need_more, invalid };

  Step begin_command();
  Step parse_inline();
  Step parse_inline_nul();
  Step parse_count();
  Step parse_arg_header();
  Step parse_arg_body();
  LineResult find_header_line(std::size_t& line_end);
  void finish_command(std::vector<std::string_view>& args);
  Step fail(ParseStatus status);

  // Bytes a bulk still needs before its command can go on, when that bulk is
  // big enough to deserve a buffer sized for it in one step; otherwise 0.
  [[nodiscard]] std::size_t big_bulk_remaining() const;
  // Moves the unreturned bytes to the start of a buffer of `new_capacity`
  // bytes (the same one when it is big enough and not shrinking).
  void relocate(std::size_t new_capacity);

  ParserLimits limits_;
  std::unique_ptr<char[]> buf_;
  std::size_t capacity_ = 0;
  std::size_t begin_ = 0;               // first byte not yet returned as a command
  std::size_t pos_ = 0;                 // parse position within the command in progress
  std::size_t scan_ = 0;                // how far a line terminator has been searched for
  std::size_t end_ = 0;                 // one past the last received byte
  std::size_t prepared_ = 0;            // writable bytes handed out by the last prepare()
  std::size_t read_chunk_ = 16 * 1024;  // min_bytes of the last prepare()
  bool read_pending_ = false;           // a prepared span not yet committed
  State state_ = State::start;
  bool authenticated_ = true;
  ParseStatus error_ = ParseStatus::ok;
  char bad_byte_ = 0;  // what stood where `$` was expected
  std::size_t args_expected_ = 0;
  std::size_t bulk_length_ = 0;
  std::vector<Arg> args_;
};

}  // namespace tasq::resp
