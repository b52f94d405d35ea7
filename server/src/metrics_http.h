#pragma once
// The `metrics` listener put together: the HTTP transport on the server's
// reactor, the routes, and where each route's content comes from.

#include <cstdint>
#include <memory>

#include "tasq/config/config.h"

namespace tasq::server {

class Server;
class RefusalReporter;
namespace http {
class Listener;
}

class MetricsHttp {
 public:
  /// Binds `endpoint`; throws std::runtime_error naming `metrics` on failure.
  MetricsHttp(Server& server, const config::Endpoint& endpoint);
  ~MetricsHttp();
  MetricsHttp(const MetricsHttp&) = delete;
  MetricsHttp& operator=(const MetricsHttp&) = delete;

  void start();
  void stop();
  [[nodiscard]] std::uint16_t bound_port() const;

 private:
  // Before the listener: its routes report to it.
  std::unique_ptr<RefusalReporter> refusals_;
  std::unique_ptr<http::Listener> listener_;
};

}  // namespace tasq::server
