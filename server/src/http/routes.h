#pragma once
// What the `metrics` listener serves, and who may see it:
//
//   GET  /                the dashboard page (static; asks for no figure itself)
//   GET  /metrics         the Prometheus text format
//   GET  /api/dashboard   the page's figures as JSON (?since=UNIX_SECONDS for
//                         the history points after that second only)
//   POST /api/retry       `id=ID` or `id=all`: a dead-lettered task back to its
//                         queue, as the admin port's `retry` verb
//
// On a listener that is not on a loopback address every path but `/` asks
// for `Authorization: Bearer TOKEN` with the admin token. Actions ask for it
// everywhere. On a loopback listener the Host header must name a loopback
// host, so that a web page elsewhere cannot read the figures through DNS
// rebinding.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "http_types.h"

namespace tasq::server::http {

/// Where the routes get what they serve; each is called on the reactor.
struct Sources {
  std::function<std::string()> metrics_text;
  std::function<std::string(std::int64_t since)> dashboard_json;
  /// Runs an admin verb ("retry 12") and returns its reply ("OK 1", "ERR ...").
  std::function<std::string(std::string_view command)> admin;
  /// True when `token` is the admin token; false for everything when none is set.
  std::function<bool(std::string_view token)> token_matches;
  /// Whether an admin token exists at all (else actions are refused outright).
  std::function<bool()> token_set;
  /// A request refused for a wrong or missing token, from `peer` (logged at
  /// a bounded rate by the caller); may be empty.
  std::function<void(std::string_view peer)> refused;
};

class Routes {
 public:
  Routes(Sources sources, bool loopback_only);
  Reply operator()(const Request& request) const;

 private:
  Reply serve_get(std::string_view path, std::string_view query) const;
  Reply serve_retry(const Request& request) const;
  [[nodiscard]] bool authorized(const Request& request) const;
  /// The 401 for a wrong or missing token, reported to Sources::refused.
  Reply refuse(const Request& request) const;

  Sources sources_;
  bool loopback_only_;
};

/// True for `localhost`, `*.localhost`, 127.x.y.z and [::1], with or without
/// a port.
bool loopback_host(std::string_view host);
/// The token of `Authorization: Bearer TOKEN`, or empty.
std::string_view bearer_token(std::string_view authorization);
/// The value of `name` in an `a=1&b=2` query or form body (no
/// percent-decoding: ids and `all` need none); empty when absent.
std::string_view form_value(std::string_view form, std::string_view name);

}  // namespace tasq::server::http
