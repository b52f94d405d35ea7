#include "metrics_http.h"

#include <spdlog/spdlog.h>

#include "dashboard_json.h"
#include "http/http_listener.h"
#include "http/routes.h"
#include "metrics_page.h"
#include "refusal_reporter.h"
#include "server.h"
#include "task_metrics.h"

namespace tasq::server {
namespace {

http::Sources sources(Server& server, RefusalReporter& refusals) {
  http::Sources s;
  s.metrics_text = [&server] {
    std::string error;
    auto process = metrics::read_process_figures(&error);
    if (!error.empty()) spdlog::debug("metrics: {}", error);
    return render_metrics(server.snapshot(), server.task_metrics(), process);
  };
  s.dashboard_json = [&server](std::int64_t since) { return dashboard_json(server, since); };
  s.admin = [&server](std::string_view command) { return server.admin_command(command); };
  s.token_matches = [&server](std::string_view token) {
    return server.admin_token().matches(token);
  };
  s.token_set = [&server] { return !server.admin_token().empty(); };
  s.refused = [&refusals](std::string_view peer) { refusals.refused(peer); };
  return s;
}

}  // namespace

MetricsHttp::MetricsHttp(Server& server, const config::Endpoint& endpoint)
    : refusals_(std::make_unique<RefusalReporter>(server.io(), "metrics",
                                                  "request(s) with a wrong or missing admin token")),
      listener_(std::make_unique<http::Listener>(
          server.io(), endpoint, static_cast<int>(server.config().backlog), http::Limits{},
          http::Routes(sources(server, *refusals_), endpoint.is_loopback()))) {}

MetricsHttp::~MetricsHttp() = default;

void MetricsHttp::start() { listener_->start(); }
void MetricsHttp::stop() {
  listener_->stop();
  refusals_->stop();
}
std::uint16_t MetricsHttp::bound_port() const { return listener_->bound_port(); }

}  // namespace tasq::server
