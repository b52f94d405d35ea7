#include "tasq/access/admin_datagram.h"

#include <algorithm>

namespace tasq::access {
namespace {

bool blank(char ch) {
  return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\v' || ch == '\f';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  return text;
}

bool printable(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char ch) {
    const auto byte = static_cast<unsigned char>(ch);
    return (byte >= 0x20 && byte < 0x7f) || ch == '\t';
  });
}

}  // namespace

AdminRequest read_admin_datagram(std::string_view datagram, const Secret& token) {
  if (datagram.size() > kMaxAdminDatagram) return {AdminRefusal::too_long, {}};
  std::string_view text = trim(datagram);
  if (!printable(text)) return {AdminRefusal::not_text, {}};
  if (text.empty()) return {AdminRefusal::empty, {}};
  if (!token.empty()) {
    const auto end = std::find_if(text.begin(), text.end(), blank);
    const auto word = static_cast<std::size_t>(end - text.begin());
    if (!token.matches(text.substr(0, word))) return {AdminRefusal::auth, {}};
    text = trim(text.substr(word));
    if (text.empty()) return {AdminRefusal::empty, {}};
  }
  return {AdminRefusal::none, text};
}

std::string_view refusal_reply(AdminRefusal refusal) {
  switch (refusal) {
    case AdminRefusal::none:
      return "";
    case AdminRefusal::too_long:
      return "ERR datagram too long";
    case AdminRefusal::not_text:
      return "ERR not a text command";
    case AdminRefusal::empty:
      return "ERR empty command";
    case AdminRefusal::auth:
      return "ERR auth";
  }
  return "ERR";
}

}  // namespace tasq::access
