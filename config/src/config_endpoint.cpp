// Endpoint parsing for `listen` and `admin`, and the loopback test behind
// the admin_token rule.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "config_values.h"
#include "tasq/config/config.h"

namespace tasq::config {
namespace {

constexpr std::string_view kUnixPrefix = "unix:";

bool is_ipv4(const std::string& host) {
  in_addr addr{};
  return ::inet_pton(AF_INET, host.c_str(), &addr) == 1;
}

bool is_ipv6(const std::string& host) {
  in6_addr addr{};
  return ::inet_pton(AF_INET6, host.c_str(), &addr) == 1;
}

// A DNS name as resolvers take it: letters, digits, '-' and '.'.
bool is_host_name(std::string_view host) {
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
  });
}

bool all_digits_and_dots(std::string_view host) {
  return std::all_of(host.begin(), host.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
  });
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  auto port = detail::parse_count(text);
  if (!port || *port > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(*port);
}

std::optional<Endpoint> fail(std::string* why, std::string reason) {
  if (why) *why = std::move(reason);
  return std::nullopt;
}

std::optional<Endpoint> parse_unix(std::string_view text, std::string* why) {
  Endpoint endpoint;
  endpoint.kind = Endpoint::Kind::unix_socket;
  endpoint.path = std::string(text.substr(kUnixPrefix.size()));
  endpoint.text = std::string(text);
  if (endpoint.path.empty()) return fail(why, "unix: needs a socket path");
  // sun_path keeps a terminating NUL.
  constexpr std::size_t max_path = sizeof(sockaddr_un{}.sun_path) - 1;
  if (endpoint.path.size() > max_path) {
    return fail(why, "socket path is longer than " + std::to_string(max_path) + " bytes");
  }
  return endpoint;
}

}  // namespace

std::optional<Endpoint> parse_endpoint(std::string_view text, std::string* why) {
  if (text.empty()) return fail(why, "empty address");
  if (text.substr(0, kUnixPrefix.size()) == kUnixPrefix) return parse_unix(text, why);

  Endpoint endpoint;
  endpoint.text = std::string(text);
  std::string_view port_text;
  if (text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return fail(why, "missing ']' after the IPv6 address");
    endpoint.host = std::string(text.substr(1, close - 1));
    if (!is_ipv6(endpoint.host)) return fail(why, "not an IPv6 address: " + endpoint.host);
    auto rest = text.substr(close + 1);
    if (rest.empty()) return fail(why, "missing port (use [IPv6]:PORT)");
    if (rest.front() != ':') return fail(why, "expected ':' and a port after ']'");
    port_text = rest.substr(1);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return fail(why, "missing port (use HOST:PORT)");
    endpoint.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
    if (endpoint.host.empty()) return fail(why, "missing host (use HOST:PORT)");
    if (endpoint.host.find(':') != std::string::npos) {
      return fail(why, "IPv6 addresses go in brackets, as in [::1]:6380");
    }
    if (all_digits_and_dots(endpoint.host) && !is_ipv4(endpoint.host)) {
      return fail(why, "not an IPv4 address: " + endpoint.host);
    }
    if (!is_host_name(endpoint.host)) return fail(why, "not a host name: " + endpoint.host);
  }
  if (port_text.empty()) return fail(why, "missing port");
  auto port = parse_port(port_text);
  if (!port) return fail(why, "port must be a number from 0 to 65535");
  endpoint.port = *port;
  return endpoint;
}

bool Endpoint::is_loopback() const {
  if (kind == Kind::unix_socket) return true;
  std::string lower = host;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "localhost") return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    if (std::memcmp(&v6, &in6addr_loopback, sizeof v6) == 0) return true;
    // ::ffff:a.b.c.d carries an IPv4 address.
    static constexpr unsigned char mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::memcmp(v6.s6_addr, mapped_prefix, sizeof mapped_prefix) == 0 &&
           v6.s6_addr[12] == 127;
  }
  return false;
}

}  // namespace tasq::config
