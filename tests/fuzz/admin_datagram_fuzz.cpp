// libFuzzer target for the admin datagram reader (tasq::access): the first
// byte gives the token's length (0: no token), the token follows, and the
// rest is the datagram.
//
// Checked: a datagram over the limit is refused whole; a command is only
// ever returned as a trimmed, printable piece of the datagram; with a token
// set, the datagram's first word is that token; reading twice gives the
// same answer.

#include <string_view>

#include "fuzz_check.h"
#include "tasq/access/admin_datagram.h"
#include "tasq/access/secret.h"

namespace {

bool blank(char ch) {
  return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\v' || ch == '\f';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using tasq::access::AdminRefusal;
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t token_length = std::min<std::size_t>(data[0] % 40, input.size());
  const std::string_view token_text = input.substr(0, token_length);
  const std::string_view datagram = input.substr(token_length);
  const tasq::access::Secret token =
      token_length == 0 ? tasq::access::Secret() : tasq::access::Secret(token_text);

  const auto request = tasq::access::read_admin_datagram(datagram, token);
  const auto again = tasq::access::read_admin_datagram(datagram, token);
  FUZZ_CHECK(request.refusal == again.refusal && request.command == again.command);
  FUZZ_CHECK((datagram.size() > tasq::access::kMaxAdminDatagram) ==
             (request.refusal == AdminRefusal::too_long));
  FUZZ_CHECK(!tasq::access::refusal_reply(request.refusal).empty() ||
             request.refusal == AdminRefusal::none);
  if (request.refusal != AdminRefusal::none) {
    FUZZ_CHECK(request.command.empty());
    FUZZ_CHECK(request.refusal != AdminRefusal::auth || !token.empty());
    return 0;
  }
  const std::string_view command = request.command;
  FUZZ_CHECK(!command.empty());
  FUZZ_CHECK(!blank(command.front()) && !blank(command.back()));
  FUZZ_CHECK(command.data() >= datagram.data() &&
             command.data() + command.size() <= datagram.data() + datagram.size());
  for (char ch : command) {
    const auto byte = static_cast<unsigned char>(ch);
    FUZZ_CHECK((byte >= 0x20 && byte < 0x7f) || ch == '\t');
  }
  if (!token.empty()) {
    std::string_view text = datagram;
    while (!text.empty() && blank(text.front())) text.remove_prefix(1);
    FUZZ_CHECK(text.substr(0, token_text.size()) == token_text);
    FUZZ_CHECK(text.size() > token_text.size() && blank(text[token_text.size()]));
    FUZZ_CHECK(command.data() > text.data() + token_text.size());
  }
  return 0;
}
