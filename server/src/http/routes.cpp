#include "routes.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "dashboard_page.h"

namespace tasq::server::http {
namespace {

// The page is one file with its script and style inline; nothing else may
// load, so an injected string cannot pull a script from elsewhere.
constexpr std::string_view kPagePolicy =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

Reply text(unsigned status, std::string body) {
  Reply reply;
  reply.status = status;
  reply.body = std::move(body);
  reply.body += '\n';
  return reply;
}

Reply unauthorized() {
  Reply reply = text(401, "this needs the admin token: Authorization: Bearer TOKEN");
  reply.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"tasq\"");
  return reply;
}

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

bool dotted_loopback(std::string_view host) {
  // 127.x.y.z: four decimal parts, the first 127.
  int parts = 0;
  std::size_t start = 0;
  while (start <= host.size()) {
    auto dot = host.find('.', start);
    auto part = host.substr(start, dot == std::string_view::npos ? host.npos : dot - start);
    unsigned value = 256;
    auto result = std::from_chars(part.data(), part.data() + part.size(), value);
    if (!all_digits(part) || result.ec != std::errc() || value > 255) return false;
    if (parts == 0 && value != 127) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts == 4;
}

}  // namespace

bool loopback_host(std::string_view host) {
  if (host.empty()) return false;
  if (host.front() == '[') {
    auto close = host.find(']');
    if (close == std::string_view::npos) return false;
    auto rest = host.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || !all_digits(rest.substr(1)))) return false;
    return host.substr(1, close - 1) == "::1";
  }
  if (auto colon = host.rfind(':'); colon != std::string_view::npos) {
    if (!all_digits(host.substr(colon + 1))) return false;
    host = host.substr(0, colon);
  }
  std::string lower(host);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower.ends_with('.')) lower.pop_back();
  return lower == "localhost" || lower.ends_with(".localhost") || dotted_loopback(lower);
}

std::string_view bearer_token(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (!starts_with_ci(authorization, kScheme)) return {};
  auto token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

std::string_view form_value(std::string_view form, std::string_view name) {
  while (!form.empty()) {
    auto amp = form.find('&');
    auto pair = form.substr(0, amp);
    auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    form.remove_prefix(amp + 1);
  }
  return {};
}

Routes::Routes(Sources sources, bool loopback_only)
    : sources_(std::move(sources)), loopback_only_(loopback_only) {}

bool Routes::authorized(const Request& request) const {
  auto token = bearer_token(request.authorization);
  return !token.empty() && sources_.token_matches(token);
}

Reply Routes::refuse(const Request& request) const {
  if (sources_.refused) sources_.refused(request.peer);
  return unauthorized();
}

Reply Routes::operator()(const Request& request) const {
  if (loopback_only_ && !loopback_host(request.host)) {
    return text(403, "Host must name this machine (localhost, 127.0.0.1 or [::1])");
  }
  auto target = request.target;
  auto question = target.find('?');
  auto path = target.substr(0, question);
  auto query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);

  if (path == "/api/retry") {
    if (request.method != "POST") {
      Reply reply = text(405, "use POST");
      reply.headers.emplace_back("Allow", "POST");
      return reply;
    }
    return serve_retry(request);
  }
  if (request.method != "GET") {
    Reply reply = text(405, "use GET");
    reply.headers.emplace_back("Allow", "GET, HEAD");
    return reply;
  }
  // The page holds no figure; on an open address it asks for the token and
  // sends it with every request of its own.
  if (path != "/" && path != "/index.html" && !loopback_only_ && !authorized(request)) {
    return refuse(request);
  }
  return serve_get(path, query);
}

Reply Routes::serve_get(std::string_view path, std::string_view query) const {
  Reply reply;
  if (path == "/" || path == "/index.html") {
    reply.content_type = "text/html; charset=utf-8";
    reply.body = std::string(dashboard_page());
    reply.headers.emplace_back("Content-Security-Policy", std::string(kPagePolicy));
    reply.headers.emplace_back("X-Frame-Options", "DENY");
    reply.headers.emplace_back("Referrer-Policy", "no-referrer");
    return reply;
  }
  if (path == "/metrics") {
    reply.content_type = "text/plain; version=0.0.4; charset=utf-8";
    reply.body = sources_.metrics_text();
    return reply;
  }
  if (path == "/api/dashboard") {
    std::int64_t since = 0;
    auto value = form_value(query, "since");
    if (!value.empty()) {
      auto result = std::from_chars(value.data(), value.data() + value.size(), since);
      if (result.ec != std::errc() || result.ptr != value.data() + value.size() || since < 0) {
        return text(400, "since: a unix time in seconds");
      }
    }
    reply.content_type = "application/json";
    reply.body = sources_.dashboard_json(since);
    return reply;
  }
  return text(404, "not found: try / or /metrics");
}

Reply Routes::serve_retry(const Request& request) const {
  if (!sources_.token_set()) {
    return text(403, "actions need the admin token, and none is set (admin_token)");
  }
  if (!authorized(request)) return refuse(request);
  auto id = form_value(request.body, "id");
  if (id != "all" && !all_digits(id)) return text(400, "id: a task id or all");
  std::string answer = sources_.admin("retry " + std::string(id));
  Reply reply = text(answer.starts_with("OK") ? 200 : 409, answer);
  return reply;
}

}  // namespace tasq::server::http
