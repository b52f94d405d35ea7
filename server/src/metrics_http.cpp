#include "metrics_http.h"

#include <spdlog/spdlog.h>

#include "admin_port.h"
#include "dashboard_json.h"
#include "http/http_listener.h"
#include "http/routes.h"
#include "metrics_page.h"
#include "server.h"
#include "task_metrics.h"

namespace tasq::server {
namespace {

// Compares in time independent of where the strings differ.
bool same_secret(std::string_view given, std::string_view secret) {
  if (given.size() != secret.size()) return false;
  unsigned diff = 0;
  for (std::size_t i = 0; i < secret.size(); ++i) {
    diff |= static_cast<unsigned char>(given[i]) ^ static_cast<unsigned char>(secret[i]);
  }
  return diff == 0;
}

http::Sources sources(Server& server) {
  http::Sources s;
  s.metrics_text = [&server] {
    std::string error;
    auto process = metrics::read_process_figures(&error);
    if (!error.empty()) spdlog::debug("metrics: {}", error);
    return render_metrics(server.snapshot(), server.task_metrics(), process);
  };
  s.dashboard_json = [&server](std::int64_t since) { return dashboard_json(server, since); };
  // The admin port's own retry, so the button works with `admin none` too.
  s.retry = [&server](std::string_view id) { return retry_dead(server, id); };
  s.token_matches = [&server](std::string_view token) {
    const auto& secret = server.config().admin_token;
    return !secret.empty() && same_secret(token, secret);
  };
  s.token_set = [&server] { return !server.config().admin_token.empty(); };
  return s;
}

}  // namespace

MetricsHttp::MetricsHttp(Server& server, const config::Endpoint& endpoint)
    : listener_(std::make_unique<http::Listener>(
          server.io(), endpoint, static_cast<int>(server.config().backlog), http::Limits{},
          http::Routes(sources(server), endpoint.is_loopback()))) {}

MetricsHttp::~MetricsHttp() = default;

void MetricsHttp::start() { listener_->start(); }
void MetricsHttp::stop() { listener_->stop(); }
std::uint16_t MetricsHttp::bound_port() const { return listener_->bound_port(); }

}  // namespace tasq::server
