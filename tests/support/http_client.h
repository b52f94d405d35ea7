#pragma once
// A small HTTP/1.1 client for the `metrics` listener's tests, over RawClient
// so that tests can also send what no HTTP library would.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "raw_client.h"

namespace tasq::test {

struct HttpResponse {
  int status = 0;                              ///< 0: no complete response arrived
  std::map<std::string, std::string> headers;  ///< names in lower case
  std::string body;
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

/// The request's bytes; adds Host (127.0.0.1) unless given, and
/// Content-Length when there is a body.
std::string http_request_bytes(const std::string& method, const std::string& target,
                               const HttpHeaders& headers = {}, const std::string& body = "");
/// Parses the response at the start of `bytes` (Content-Length bodies);
/// status 0 while incomplete. `used` gets the bytes it took.
HttpResponse parse_http_response(const std::string& bytes, std::size_t* used = nullptr);
/// Reads one response from `client` (after what `offset` already consumed).
HttpResponse read_http_response(RawClient& client, std::size_t& offset,
                                std::chrono::milliseconds timeout = std::chrono::seconds(10));
/// One request on a fresh connection.
HttpResponse http_call(std::uint16_t port, const std::string& method, const std::string& target,
                       const HttpHeaders& headers = {}, const std::string& body = "");
inline HttpResponse http_get(std::uint16_t port, const std::string& target,
                             const HttpHeaders& headers = {}) {
  return http_call(port, "GET", target, headers);
}

}  // namespace tasq::test
