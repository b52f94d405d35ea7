#include "inline_split.h"

namespace tasq::resp {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char unescape(char c) {
  switch (c) {
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'b':
      return '\b';
    case 'a':
      return '\a';
    default:
      return c;
  }
}

// After a closing quote only whitespace or the end of the line may follow.
bool closes_cleanly(const char* data, std::size_t at, std::size_t last) {
  return at == last || is_space(data[at]);
}

}  // namespace

InlineToken next_inline_token(char* data, std::size_t last, std::size_t& cursor, std::size_t& first,
                              std::size_t& length) {
  std::size_t in = cursor;
  while (in < last && is_space(data[in])) ++in;
  cursor = in;
  if (in == last) return InlineToken::end;

  first = in;
  std::size_t out = in;  // never ahead of `in`: decoding only shrinks
  enum class Quote : std::uint8_t { none, double_quote, single_quote } quote = Quote::none;
  for (;;) {
    if (quote == Quote::none) {
      if (in == last || is_space(data[in])) break;
      const char c = data[in++];
      if (c == '"') {
        quote = Quote::double_quote;
      } else if (c == '\'') {
        quote = Quote::single_quote;
      } else {
        data[out++] = c;
      }
      continue;
    }
    if (in == last) return InlineToken::unbalanced;
    const char c = data[in];
    if (quote == Quote::double_quote) {
      if (c == '\\' && last - in >= 4 && data[in + 1] == 'x' && hex_value(data[in + 2]) >= 0 &&
          hex_value(data[in + 3]) >= 0) {
        data[out++] = static_cast<char>(hex_value(data[in + 2]) * 16 + hex_value(data[in + 3]));
        in += 4;
      } else if (c == '\\' && last - in >= 2) {
        data[out++] = unescape(data[in + 1]);
        in += 2;
      } else if (c == '"') {
        ++in;
        if (!closes_cleanly(data, in, last)) return InlineToken::unbalanced;
        break;
      } else {
        data[out++] = c;
        ++in;
      }
    } else {
      if (c == '\\' && last - in >= 2 && data[in + 1] == '\'') {
        data[out++] = '\'';
        in += 2;
      } else if (c == '\'') {
        ++in;
        if (!closes_cleanly(data, in, last)) return InlineToken::unbalanced;
        break;
      } else {
        data[out++] = c;
        ++in;
      }
    }
  }
  cursor = in;
  length = out - first;
  return InlineToken::token;
}

}  // namespace tasq::resp
