#pragma once
// What the HTTP transport hands to the routes and takes back, in plain
// types, so that routes know nothing of Beast and the transport nothing of
// what is served.

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tasq::server::http {

/// One request, valid during the handler's call.
struct Request {
  std::string_view method = {};         ///< "GET", "HEAD", "POST", ...
  std::string_view target = {};         ///< path and query, as sent ("/api/dashboard?since=5")
  std::string_view host = {};           ///< the Host header, may be empty
  std::string_view authorization = {};  ///< the Authorization header, may be empty
  std::string_view content_type = {};
  std::string_view body = {};
  std::string_view peer = {};  ///< the client's address, as logged ("127.0.0.1:51234")
};

struct Reply {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra headers
};

using Handler = std::function<Reply(const Request&)>;

/// Bounds on what one connection may send or hold, so that a malformed, slow
/// or greedy client costs only its own connection.
struct Limits {
  std::size_t header_bytes = 8 * 1024;  ///< request line and headers together
  std::size_t header_fields = 64;
  std::size_t body_bytes = 4 * 1024;  ///< requests carry small forms at most
  /// The first request must arrive, complete, within this of the connection.
  std::chrono::milliseconds first_request{10'000};
  /// Later requests on a kept-alive connection: idle wait plus the request.
  std::chrono::milliseconds keep_alive{30'000};
  std::chrono::milliseconds write{10'000};  ///< a response must be taken within this
  std::size_t requests_per_connection = 1000;
  std::size_t connections = 32;  ///< beyond it the oldest still-reading connection is closed
};

}  // namespace tasq::server::http
