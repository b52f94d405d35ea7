// The adapters' helpers that are not templates: listen, the IP literal
// test of AddressOrNone, and the wording of an enum's choices.

#include "config_adapters.h"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace tasq::config::detail {

bool is_ip_literal(const std::string& host) {
  in6_addr addr{};
  return ::inet_pton(AF_INET, host.c_str(), &addr) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), &addr) == 1;
}

std::string must_be_one_of(std::span<const std::string_view> names) {
  std::string out = "must be ";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

std::string Listen::set(Config& config, const std::string& value) {
  std::string why;
  auto endpoint = parse_endpoint(value, &why);
  if (!endpoint) return why;
  config.listen.push_back(std::move(*endpoint));
  return {};
}

std::string Listen::get(const Config& config) {
  std::string out;
  for (const auto& endpoint : config.listen) {
    if (!out.empty()) out += ' ';
    out += endpoint.text;
  }
  return out;
}

void Listen::clear(Config& config) { config.listen.clear(); }

}  // namespace tasq::config::detail
