#include "http_listener.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>

#include <boost/asio/ip/v6_only.hpp>
#include <stdexcept>

#include "http_session.h"
#include "resolve_endpoint.h"

namespace tasq::server::http {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Listener::Listener(asio::io_context& io, const config::Endpoint& endpoint, int backlog, Limits limits,
                   Handler handler)
    : io_(io),
      endpoint_(endpoint),
      limits_(limits),
      handler_(std::make_shared<const Handler>(std::move(handler))),
      acceptor_(io),
      accept_pause_(io) {
  if (endpoint.kind != config::Endpoint::Kind::tcp) {
    throw std::runtime_error("metrics: " + endpoint.text + ": needs HOST:PORT");
  }
  const tcp::endpoint bind_to = resolve_endpoint(io, endpoint, "metrics");
  boost::system::error_code ec;
  acceptor_.open(bind_to.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && bind_to.protocol() == tcp::v6()) acceptor_.set_option(asio::ip::v6_only(true), ec);
  if (!ec) acceptor_.bind(bind_to, ec);
  if (!ec) acceptor_.listen(backlog, ec);
  if (ec) throw std::runtime_error("metrics: " + endpoint.text + ": " + ec.message());
  bound_port_ = acceptor_.local_endpoint(ec).port();
}

Listener::~Listener() { stop(); }

void Listener::start() {
  // The bound port, not the configured one: port 0 asks the kernel to pick.
  const bool v6 = endpoint_.host.find(':') != std::string::npos;
  spdlog::info("metrics listening on {}{}{}:{} (http)", v6 ? "[" : "", endpoint_.host,
               v6 ? "]" : "", bound_port_);
  do_accept();
}

void Listener::stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  accept_pause_.cancel();
  for (auto& weak : sessions_) {
    if (auto session = weak.lock()) session->stop();
  }
  sessions_.clear();
}

std::size_t Listener::connections() {
  prune();
  return sessions_.size();
}

void Listener::prune() {
  sessions_.remove_if([](const std::weak_ptr<Session>& weak) { return weak.expired(); });
}

bool Listener::make_room() {
  prune();
  if (sessions_.size() < limits_.connections) return true;
  std::shared_ptr<Session> oldest;
  for (auto& weak : sessions_) {
    auto session = weak.lock();
    if (!session || !session->reading()) continue;
    if (!oldest || session->reading_since() < oldest->reading_since()) oldest = session;
  }
  if (oldest) {
    spdlog::debug("http: {} connections open; closing the one waiting longest for its request",
                  sessions_.size());
    oldest->stop();
    return true;
  }
  // Every connection is writing a reply (each within its write deadline).
  return false;
}

void Listener::do_accept() {
  if (stopped_) return;
  acceptor_.async_accept(io_, [this](const boost::system::error_code& ec, tcp::socket socket) {
    on_accept(ec, std::move(socket));
  });
}

void Listener::on_accept(const boost::system::error_code& ec, tcp::socket socket) {
  if (stopped_ || ec == asio::error::operation_aborted) return;
  if (ec) {
    accept_pause_.after(ec, "metrics " + endpoint_.text, [this] { do_accept(); });
    return;
  }
  if (!make_room()) {
    boost::system::error_code ignored;
    socket.close(ignored);
    do_accept();
    return;
  }
  boost::system::error_code option_ec;
  socket.set_option(tcp::no_delay(true), option_ec);
  auto session = std::make_shared<Session>(std::move(socket), limits_, handler_);
  sessions_.push_back(session);
  session->start();
  do_accept();
}

}  // namespace tasq::server::http
