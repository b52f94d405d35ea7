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

std::string describe(const udp::endpoint& endpoint) {
  auto address = endpoint.address();
  if (address.is_v6()) return "[" + address.to_string() + "]:" + std::to_string(endpoint.port());
  return address.to_string() + ":" + std::to_string(endpoint.port());
}

}  // namespace

AdminPort::AdminPort(Server& server, const config::Endpoint& endpoint)
    : server_(server),
      socket_(server.io()),
      refusals_(server.io(), "admin", "datagram(s) with a wrong or missing token") {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(endpoint.host == "localhost" ? "127.0.0.1" : endpoint.host, ec);
  if (ec) throw std::runtime_error("admin: " + endpoint.text + ": not an IP address");
  udp::endpoint bind_to(address, endpoint.port);
  socket_.open(bind_to.protocol(), ec);
  if (!ec) socket_.bind(bind_to, ec);
  if (ec) throw std::runtime_error("admin: " + endpoint.text + ": " + ec.message());
  bound_port_ = socket_.local_endpoint(ec).port();
  spdlog::info("admin port listening on {}:{} (udp)", endpoint.host, bound_port_);
  keep_token();
}

AdminPort::~AdminPort() { access::remove_token_file(token_file_); }

// Without admin_token, the port still takes no command from just anyone: a
// token made now, new at every start (one a listener caught while tasqd was
// down is then worth nothing), goes to a file only tasqd's user can read.
void AdminPort::keep_token() {
  const std::string& configured = server_.config().admin_token;
  const std::string token = configured.empty() ? access::random_token() : configured;
  token_ = access::Secret(token);
  const std::string path = access::token_file_path(access::runtime_dir(), bound_port_);
  try {
    token_file_ = access::write_token_file(path, token);
    spdlog::info("admin token in {} (tasqctl run by this user reads it)", path);
  } catch (const std::exception& e) {
    if (configured.empty()) {
      throw std::runtime_error(std::string("admin: cannot keep the admin token: ") + e.what() +
                               "; set TASQ_RUNTIME_DIR to a private directory, set admin_token, "
                               "or set admin none");
    }
    spdlog::warn("admin: cannot write the token file ({}); tasqctl needs --token", e.what());
  }
}

void AdminPort::start() { do_receive(); }

void AdminPort::stop() {
  stopped_ = true;
  boost::system::error_code ignored;
  socket_.close(ignored);
  refusals_.stop();
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
  const access::AdminRequest request = access::read_admin_datagram(datagram, token_);
  if (request.refusal == access::AdminRefusal::auth) refusals_.refused(describe(sender_));
  if (request.refusal != access::AdminRefusal::none) {
    return std::string(access::refusal_reply(request.refusal));
  }
  return answer(request.command);
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
  std::string shown(command.substr(0, 64));
  return "ERR unknown command '" + shown + "' (try ping, stats, workers, reload, shutdown)";
}

}  // namespace tasq::server
