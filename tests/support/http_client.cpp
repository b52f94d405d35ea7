#include "http_client.h"

#include <algorithm>
#include <cctype>

namespace tasq::test {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

std::string http_request_bytes(const std::string& method, const std::string& target,
                               const HttpHeaders& headers, const std::string& body) {
  std::string out = method + " " + target + " HTTP/1.1\r\n";
  bool has_host = false;
  for (const auto& [name, value] : headers) {
    if (lower(name) == "host") has_host = true;
    out += name + ": " + value + "\r\n";
  }
  if (!has_host) out += "Host: 127.0.0.1\r\n";
  if (!body.empty()) out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += "\r\n" + body;
  return out;
}

HttpResponse parse_http_response(const std::string& bytes, std::size_t* used) {
  HttpResponse response;
  auto end = bytes.find("\r\n\r\n");
  if (end == std::string::npos || bytes.compare(0, 9, "HTTP/1.1 ") != 0) return response;
  std::size_t line_end = bytes.find("\r\n");
  std::size_t at = line_end + 2;
  while (at < end) {
    auto next = bytes.find("\r\n", at);
    auto line = bytes.substr(at, next - at);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      auto value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      response.headers[lower(line.substr(0, colon))] = value;
    }
    at = next + 2;
  }
  std::size_t length = 0;
  if (auto it = response.headers.find("content-length"); it != response.headers.end()) {
    length = std::stoul(it->second);
  }
  if (bytes.size() < end + 4 + length) return HttpResponse{};
  response.body = bytes.substr(end + 4, length);
  response.status = std::stoi(bytes.substr(9, 3));
  if (used != nullptr) *used = end + 4 + length;
  return response;
}

HttpResponse read_http_response(RawClient& client, std::size_t& offset,
                                std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::size_t used = 0;
    auto response = parse_http_response(client.received().substr(offset), &used);
    if (response.status != 0) {
      offset += used;
      return response;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return {};
    auto before = client.received().size();
    client.read(1, std::min(left, std::chrono::milliseconds(200)));
    if (client.received().size() == before && client.closed()) return {};
  }
}

HttpResponse http_call(std::uint16_t port, const std::string& method, const std::string& target,
                       const HttpHeaders& headers, const std::string& body) {
  RawClient client(port);
  if (!client.connected() || !client.send(http_request_bytes(method, target, headers, body))) {
    return {};
  }
  std::size_t offset = 0;
  return read_http_response(client, offset);
}

}  // namespace tasq::test
