#pragma once
// Splitting of an inline command line into arguments, the way redis-cli and
// Redis's own inline parser (sdssplitargs) do: whitespace separates,
// "double quotes" understand \n \r \t \b \a \xHH and \<any>, 'single quotes'
// understand only \', and a closing quote must be followed by whitespace or
// the end of the line. A line holding a NUL never gets here: the parser, as
// Redis's strchr() would, never finds its end.

#include <cstddef>
#include <cstdint>

namespace tasq::resp {

enum class InlineToken : std::uint8_t {
  token,       ///< an argument was read
  end,         ///< only whitespace was left
  unbalanced,  ///< an unterminated quote, or a closing quote followed by a non-space
};

/// Reads the argument that starts at or after `cursor` on the line
/// `data[cursor, last)`, decoding quotes and escapes in place: a decoded
/// argument is never longer than its source, so it overwrites it. On `token`
/// the argument is `data[first, first + length)` and `cursor` is past it.
InlineToken next_inline_token(char* data, std::size_t last, std::size_t& cursor, std::size_t& first,
                              std::size_t& length);

}  // namespace tasq::resp
