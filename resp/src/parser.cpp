// The parsing half of Parser: a state machine over the received bytes that
// remembers how far it got, so a command arriving in pieces is never
// rescanned from its start. Buffer management lives in parser_buffer.cpp.

#include "tasq/resp/parser.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>

#include "inline_split.h"

namespace tasq::resp {
namespace {

// `*` or `$`, then at most 20 characters ("-9223372036854775808"): a header
// whose CR is not within this many bytes of its start is refused unread.
constexpr std::size_t kMaxHeaderLine = 21;
// What a multibulk reserves for its arguments whatever count it claims; the
// rest grows as arguments really arrive.
constexpr std::size_t kArgsReserve = 16;
// The smallest argument on the wire, `$0\r\n\r\n`: a count that could not
// fit in max_request_bytes even so is refused at its header.
constexpr std::size_t kMinArgBytes = 6;

std::size_t saturating_add(std::size_t a, std::size_t b) {
  return b > std::numeric_limits<std::size_t>::max() - a ? std::numeric_limits<std::size_t>::max()
                                                         : a + b;
}

// A header number as Redis reads one (string2ll): an optional '-', digits,
// no '+', no leading zero, no "-0", within int64.
bool parse_number(const char* first, const char* last, std::int64_t& value) {
  const char* digits = first != last && *first == '-' ? first + 1 : first;
  if (digits == last) return false;
  if (*digits == '0' && (last - digits > 1 || digits != first)) return false;
  if (*digits < '0' || *digits > '9') return false;  // from_chars would take a second '-'
  auto [end, ec] = std::from_chars(first, last, value);
  return ec == std::errc{} && end == last;
}

}  // namespace

ParseStatus Parser::next(std::vector<std::string_view>& args) {
  for (;;) {
    Step step = Step::need_more;
    switch (state_) {
      case State::failed:
        return error_;
      case State::start:
        step = begin_command();
        break;
      case State::inline_line:
        step = parse_inline();
        break;
      case State::inline_nul:
        step = parse_inline_nul();
        break;
      case State::multibulk_count:
        step = parse_count();
        break;
      case State::arg_header:
        step = parse_arg_header();
        break;
      case State::arg_body:
        step = parse_arg_body();
        break;
    }
    switch (step) {
      case Step::advanced:
        break;
      case Step::need_more:
        return ParseStatus::need_more;
      case Step::failed:
        return error_;
      case Step::command:
        finish_command(args);
        return ParseStatus::ok;
    }
  }
}

std::string Parser::error_message() const {
  if (state_ != State::failed) return {};
  if (error_ != ParseStatus::expected_dollar) return std::string(describe(error_));
  // Redis quotes the byte as it is; a CR or LF would break the error line,
  // so bytes that do not print are spelled out.
  std::string text = "expected '$', got '";
  const auto byte = static_cast<unsigned char>(bad_byte_);
  if (byte >= 0x20 && byte < 0x7f) {
    text += bad_byte_;
  } else {
    constexpr char kHex[] = "0123456789abcdef";
    text += "\\x";
    text += kHex[byte >> 4];
    text += kHex[byte & 0xf];
  }
  text += '\'';
  return text;
}

// Between commands: the first byte decides the protocol, as in Redis.
Parser::Step Parser::begin_command() {
  if (pos_ == end_) return Step::need_more;
  scan_ = pos_;
  state_ = buf_[pos_] == '*' ? State::multibulk_count : State::inline_line;
  return Step::advanced;
}

// An inline command ends at LF (CRLF or a lone LF, as Redis accepts both).
// The search stops one byte past the longest acceptable line, so a client
// streaming a line without end is refused without being read further.
// Redis looks for the LF with strchr(), which stops at a NUL: a line with a
// NUL before its LF never ends there, and the client is refused once more
// than the inline limit is buffered. Doing the same keeps a client that
// sends NUL bytes in step with what Redis would make of its stream.
Parser::Step Parser::parse_inline() {
  const std::size_t limit = limits_.max_inline_bytes;
  const std::size_t window_end = std::min(end_, saturating_add(pos_, saturating_add(limit, 2)));
  const char* newline = nullptr;
  if (scan_ < window_end) {
    const std::size_t length = window_end - scan_;
    newline = static_cast<const char*>(std::memchr(&buf_[scan_], '\n', length));
    const std::size_t searched =
        newline == nullptr ? length : static_cast<std::size_t>(newline - &buf_[scan_]);
    if (std::memchr(&buf_[scan_], '\0', searched) != nullptr) {
      state_ = State::inline_nul;
      return Step::advanced;
    }
  }
  if (newline == nullptr) {
    scan_ = std::max(scan_, window_end);
    const std::size_t received = end_ - pos_;
    // limit + 1 bytes may still be a full line and its CR.
    if (received > saturating_add(limit, 1) ||
        (received == saturating_add(limit, 1) && buf_[end_ - 1] != '\r')) {
      return fail(ParseStatus::inline_too_long);
    }
    return Step::need_more;
  }
  const auto newline_at = static_cast<std::size_t>(newline - buf_.get());
  std::size_t line_end = newline_at;
  if (line_end > pos_ && buf_[line_end - 1] == '\r') --line_end;
  if (line_end - pos_ > limit) return fail(ParseStatus::inline_too_long);

  args_.clear();
  std::size_t cursor = pos_;
  for (;;) {
    std::size_t first = 0;
    std::size_t length = 0;
    const InlineToken token = next_inline_token(buf_.get(), line_end, cursor, first, length);
    if (token == InlineToken::end) break;
    if (token == InlineToken::unbalanced) return fail(ParseStatus::unbalanced_quotes);
    args_.push_back(Arg{first - begin_, length});
  }
  pos_ = newline_at + 1;
  state_ = State::start;
  if (args_.empty()) {  // an empty line is no command
    begin_ = pos_;
    scan_ = pos_;
    return Step::advanced;
  }
  return Step::command;
}

// The line holds a NUL before any LF: as in Redis, whatever follows is
// taken in until more than the inline limit is buffered, then refused.
Parser::Step Parser::parse_inline_nul() {
  if (end_ - pos_ > limits_.max_inline_bytes) return fail(ParseStatus::inline_too_long);
  return Step::need_more;
}

// `*N\r\n`: how many arguments follow.
Parser::Step Parser::parse_count() {
  std::size_t line_end = 0;
  switch (find_header_line(line_end)) {
    case LineResult::need_more:
      return Step::need_more;
    case LineResult::invalid:
      return fail(ParseStatus::invalid_multibulk_length);
    case LineResult::found:
      break;
  }
  std::int64_t count = 0;
  if (!parse_number(&buf_[pos_ + 1], &buf_[line_end], count)) {
    return fail(ParseStatus::invalid_multibulk_length);
  }
  // Redis's order: a count out of range, then one over the bound before
  // AUTH, and only then `*0` and `*-1`, which carry no command.
  if (count > 0 && static_cast<std::uint64_t>(count) > limits_.max_args) {
    return fail(ParseStatus::invalid_multibulk_length);
  }
  if (!authenticated_ && count > 0 &&
      static_cast<std::uint64_t>(count) > limits_.unauthenticated_max_args) {
    return fail(ParseStatus::unauthenticated_multibulk_length);
  }
  pos_ = line_end + 2;
  if (count <= 0) {
    begin_ = pos_;
    scan_ = pos_;
    state_ = State::start;
    return Step::advanced;
  }
  const auto expected = static_cast<std::uint64_t>(count);
  const std::size_t header = pos_ - begin_;
  if (header > limits_.max_request_bytes ||
      expected > (limits_.max_request_bytes - header) / kMinArgBytes) {
    return fail(ParseStatus::request_too_long);
  }
  args_expected_ = static_cast<std::size_t>(expected);
  args_.clear();
  args_.reserve(std::min(args_expected_, kArgsReserve));
  scan_ = pos_;
  state_ = State::arg_header;
  return Step::advanced;
}

// `$L\r\n`: the length of the next argument. Every bound is checked here,
// before a byte of the argument is held.
Parser::Step Parser::parse_arg_header() {
  if (pos_ == end_) return Step::need_more;
  if (buf_[pos_] != '$') {
    bad_byte_ = buf_[pos_];
    return fail(ParseStatus::expected_dollar);
  }
  std::size_t line_end = 0;
  switch (find_header_line(line_end)) {
    case LineResult::need_more:
      return Step::need_more;
    case LineResult::invalid:
      return fail(ParseStatus::invalid_bulk_length);
    case LineResult::found:
      break;
  }
  std::int64_t length = 0;
  if (!parse_number(&buf_[pos_ + 1], &buf_[line_end], length) || length < 0) {
    return fail(ParseStatus::invalid_bulk_length);
  }
  const auto bulk = static_cast<std::uint64_t>(length);
  if (bulk > limits_.max_bulk_bytes) return fail(ParseStatus::bulk_too_long);
  if (!authenticated_ && bulk > limits_.unauthenticated_max_bulk_bytes) {
    return fail(ParseStatus::unauthenticated_bulk_length);
  }
  pos_ = line_end + 2;
  const std::size_t so_far = pos_ - begin_;
  if (so_far > limits_.max_request_bytes || bulk + 2 > limits_.max_request_bytes - so_far) {
    return fail(ParseStatus::request_too_long);
  }
  bulk_length_ = static_cast<std::size_t>(bulk);
  state_ = State::arg_body;
  return Step::advanced;
}

// The argument's bytes, read by length (they may hold CR and LF), then CRLF.
Parser::Step Parser::parse_arg_body() {
  if (end_ - pos_ < bulk_length_ + 2) return Step::need_more;
  if (buf_[pos_ + bulk_length_] != '\r' || buf_[pos_ + bulk_length_ + 1] != '\n') {
    return fail(ParseStatus::missing_crlf);
  }
  args_.push_back(Arg{pos_ - begin_, bulk_length_});
  pos_ += bulk_length_ + 2;
  scan_ = pos_;
  if (args_.size() == args_expected_) {
    state_ = State::start;
    return Step::command;
  }
  state_ = State::arg_header;
  return Step::advanced;
}

// Finds the CRLF of the header line starting at pos_ (its `*` or `$`),
// resuming where the last call stopped. Only digits and '-' may come before
// the CR, and it must come within kMaxHeaderLine bytes and be followed by
// LF; anything else makes the line invalid as soon as it is seen.
Parser::LineResult Parser::find_header_line(std::size_t& line_end) {
  const std::size_t window_end = std::min(end_, pos_ + kMaxHeaderLine + 1);
  std::size_t at = std::max(scan_, pos_ + 1);
  while (at < window_end && buf_[at] != '\r') {
    const char c = buf_[at];
    if ((c < '0' || c > '9') && c != '-') return LineResult::invalid;
    ++at;
  }
  scan_ = at;
  if (at == window_end) {
    return end_ - pos_ > kMaxHeaderLine ? LineResult::invalid : LineResult::need_more;
  }
  if (at + 1 == end_) return LineResult::need_more;
  if (buf_[at + 1] != '\n') return LineResult::invalid;
  line_end = at;
  return LineResult::found;
}

// Turns the offsets of the finished command into views, now that the
// buffer will not move before the caller is done with them.
void Parser::finish_command(std::vector<std::string_view>& args) {
  args.clear();
  const char* base = buf_.get() + begin_;
  for (const Arg& arg : args_) args.emplace_back(base + arg.offset, arg.length);
  begin_ = pos_;
  scan_ = pos_;
}

Parser::Step Parser::fail(ParseStatus status) {
  error_ = status;
  state_ = State::failed;
  return Step::failed;
}

}  // namespace tasq::resp
