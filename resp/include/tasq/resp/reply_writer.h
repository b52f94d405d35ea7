#pragma once
// Serialises replies, RESP2 by default and RESP3 once a client says HELLO 3.
// Appends to a caller-owned std::string so that a session can gather every
// reply of a pipelined batch into one buffer and write it with one call.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tasq::resp {

class ReplyWriter {
 public:
  explicit ReplyWriter(std::string& out, int protocol = 2) : out_(&out), protocol_(protocol) {}

  void set_protocol(int protocol) { protocol_ = protocol; }
  [[nodiscard]] int protocol() const { return protocol_; }

  /// `+text`. The text must not contain CR or LF (checked: they become spaces).
  void simple(std::string_view text);
  /// `-text`; `text` carries its own prefix word, e.g. "ERR unknown command".
  void error(std::string_view text);
  /// `:n`
  void integer(std::int64_t n);
  /// `$len\r\nbytes\r\n`
  void bulk(std::string_view bytes);
  /// RESP2 `$-1`, RESP3 `_`.
  void null();
  /// RESP2 `*-1`, RESP3 `_`.
  void null_array();
  /// `*n` header; the caller then writes n elements.
  void array(std::size_t n);
  /// RESP3 `%n`; in RESP2 an array of 2n elements, as Redis does.
  void map(std::size_t n);
  /// RESP3 `~n`; in RESP2 an array.
  void set(std::size_t n);
  /// RESP3 `#t`/`#f`; in RESP2 `:1`/`:0`.
  void boolean(bool value);
  /// RESP3 `,d`; in RESP2 a bulk string.
  void real(double value);
  /// RESP3 `=len\r\ntxt:...`; in RESP2 a bulk string (INFO, CLIENT INFO).
  void verbatim(std::string_view text);

 private:
  std::string* out_;
  int protocol_;
};

}  // namespace tasq::resp
