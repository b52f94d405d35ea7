#include "admin_port.h"

#include <boost/asio/ip/address.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "server.h"

namespace tasq::server {
namespace {

namespace asio = boost::asio;
using udp = asio::ip::udp;

// Well under the 65,507-byte UDP limit and safe through most paths; the
// reply says when a list had to be cut to fit.
constexpr std::size_t kMaxReply = 8192;

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

bool printable(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char ch) {
    return std::isprint(static_cast<unsigned char>(ch)) || ch == ' ' || ch == '\t';
  });
}

// Compares in time independent of where the strings differ, so the token
// cannot be guessed byte by byte from reply timings.
bool same_secret(std::string_view given, std::string_view secret) {
  if (given.size() != secret.size()) return false;
  unsigned diff = 0;
  for (std::size_t i = 0; i < secret.size(); ++i) {
    diff |= static_cast<unsigned char>(given[i]) ^ static_cast<unsigned char>(secret[i]);
  }
  return diff == 0;
}

std::string describe(const udp::endpoint& endpoint) {
  auto address = endpoint.address();
  if (address.is_v6()) return "[" + address.to_string() + "]:" + std::to_string(endpoint.port());
  return address.to_string() + ":" + std::to_string(endpoint.port());
}

}  // namespace

AdminPort::AdminPort(Server& server, const config::Endpoint& endpoint)
    : server_(server), socket_(server.io()) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(endpoint.host == "localhost" ? "127.0.0.1" : endpoint.host, ec);
  if (ec) throw std::runtime_error("admin: " + endpoint.text + ": not an IP address");
  udp::endpoint bind_to(address, endpoint.port);
  socket_.open(bind_to.protocol(), ec);
  if (!ec) socket_.bind(bind_to, ec);
  if (ec) throw std::runtime_error("admin: " + endpoint.text + ": " + ec.message());
  bound_port_ = socket_.local_endpoint(ec).port();
  spdlog::info("admin port listening on {}:{} (udp)", endpoint.host, bound_port_);
}

void AdminPort::start() { do_receive(); }

void AdminPort::stop() {
  stopped_ = true;
  boost::system::error_code ignored;
  socket_.close(ignored);
}

void AdminPort::do_receive() {
  if (stopped_) return;
  socket_.async_receive_from(asio::buffer(buffer_), sender_,
                             [this](const boost::system::error_code& ec, std::size_t bytes) {
                               on_receive(ec, bytes);
                             });
}

void AdminPort::on_receive(const boost::system::error_code& ec, std::size_t bytes) {
  if (stopped_ || ec == asio::error::operation_aborted) return;
  if (ec) {
    // ICMP errors from earlier replies surface here on Linux; they concern
    // one peer only.
    spdlog::debug("admin: receive: {}", ec.message());
    do_receive();
    return;
  }
  std::string reply = handle(std::string_view(buffer_.data(), bytes));
  if (!reply.empty()) {
    boost::system::error_code send_ec;
    socket_.send_to(asio::buffer(reply), sender_, 0, send_ec);
    if (send_ec) spdlog::debug("admin: reply to {}: {}", describe(sender_), send_ec.message());
  }
  do_receive();
}

std::string AdminPort::handle(std::string_view datagram) {
  if (datagram.size() >= buffer_.size()) return "ERR datagram too long";
  if (!printable(trim(datagram))) return "ERR not a text command";
  auto text = trim(datagram);
  if (text.empty()) return "ERR empty command";
  const auto& token = server_.config().admin_token;
  if (!token.empty()) {
    auto space = text.find(' ');
    auto given = space == std::string_view::npos ? std::string_view() : text.substr(0, space);
    if (!same_secret(given, token)) {
      spdlog::warn("admin: refused a datagram from {}: wrong or missing token", describe(sender_));
      return "ERR auth";
    }
    text = trim(text.substr(space + 1));
  }
  return answer(text);
}

std::string AdminPort::answer(std::string_view command) {
  std::string lower(command);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (lower == "ping") return "pong";
  if (lower == "stats") return stats_json(server_.snapshot());
  if (lower == "workers") return workers_json(server_.snapshot(), kMaxReply);
  if (lower == "reload") {
    if (server_.shutting_down()) return "ERR shutting down";
    return server_.reload("admin reload") ? "OK reloading task workers one by one"
                                          : "OK a reload is already running";
  }
  if (lower == "shutdown") {
    server_.shutdown("admin shutdown");
    return "OK shutting down";
  }
  // Verbs with arguments: the verb is case-insensitive, queue names are not.
  const std::string_view verb = std::string_view(lower).substr(0, lower.find(' '));
  const std::string_view rest = command.substr(std::min(command.size(), verb.size()));
  if (verb == "dead") return dead_json(server_, rest, kMaxReply);
  if (verb == "retry") return retry_dead(server_, rest);
  std::string shown(command.substr(0, 64));
  return "ERR unknown command '" + shown +
         "' (try ping, stats, workers, reload, shutdown, dead, retry)";
}

}  // namespace tasq::server
