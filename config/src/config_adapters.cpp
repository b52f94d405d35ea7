// The adapters that are not templates: listen, admin, and the wording of
// an enum's choices.

#include "config_adapters.h"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace tasq::config::detail {
namespace {

bool is_ip_literal(const std::string& host) {
  in6_addr addr{};
  return ::inet_pton(AF_INET, host.c_str(), &addr) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), &addr) == 1;
}

}  // namespace

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

std::string Admin::set(Config& config, const std::string& value) {
  if (value == "none") {
    config.admin.reset();
    return {};
  }
  std::string why;
  auto endpoint = parse_endpoint(value, &why);
  if (!endpoint) return why;
  // The admin port is a UDP socket bound to an address, never resolved.
  if (endpoint->kind == Endpoint::Kind::unix_socket) {
    return "the admin port is UDP: use HOST:PORT or none";
  }
  if (endpoint->host != "localhost" && !is_ip_literal(endpoint->host)) {
    return "HOST must be an IP address or localhost";
  }
  config.admin = std::move(*endpoint);
  return {};
}

std::string Admin::get(const Config& config) { return config.admin ? config.admin->text : "none"; }

}  // namespace tasq::config::detail
