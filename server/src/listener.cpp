#include "listener.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>
#include <stdexcept>

#include "server.h"
#include "session.h"

namespace tasq::server {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using generic_stream = asio::generic::stream_protocol;

tcp::endpoint resolve(asio::io_context& io, const config::Endpoint& endpoint) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(endpoint.host, ec);
  if (!ec) return {address, endpoint.port};
  tcp::resolver resolver(io);
  auto results = resolver.resolve(endpoint.host, std::to_string(endpoint.port), ec);
  if (ec || results.empty()) {
    throw std::runtime_error("listen: cannot resolve '" + endpoint.host + "': " + ec.message());
  }
  return results.begin()->endpoint();
}

std::string describe_peer(const generic_stream::socket& socket, const config::Endpoint& endpoint) {
  if (endpoint.kind == config::Endpoint::Kind::unix_socket) return endpoint.path;
  boost::system::error_code ec;
  auto generic = socket.remote_endpoint(ec);
  if (ec) return "?";
  tcp::endpoint peer;
  std::memcpy(peer.data(), generic.data(), std::min<std::size_t>(generic.size(), sizeof(sockaddr_in6)));
  auto address = peer.address();
  if (address.is_v6()) return "[" + address.to_string() + "]:" + std::to_string(peer.port());
  return address.to_string() + ":" + std::to_string(peer.port());
}

void set_int_option(int fd, int level, int name, int value, const char* what) {
  if (::setsockopt(fd, level, name, &value, sizeof value) != 0) {
    spdlog::warn("setsockopt({}): {}", what, std::strerror(errno));
  }
}

}  // namespace

Listener::Listener(Server& server, const config::Endpoint& endpoint)
    : server_(server), endpoint_(endpoint), acceptor_(server.io()), retry_timer_(server.io()) {
  boost::system::error_code ec;
  generic_stream::endpoint bind_to;
  if (endpoint.kind == config::Endpoint::Kind::unix_socket) {
    // A socket file left by an earlier run would make bind fail; a live
    // server on it is caught below because connect succeeds.
    asio::local::stream_protocol::socket probe(server.io());
    probe.connect(asio::local::stream_protocol::endpoint(endpoint.path), ec);
    if (!ec) throw std::runtime_error("listen: " + endpoint.text + ": another server is listening");
    ::unlink(endpoint.path.c_str());
    bind_to = generic_stream::endpoint(asio::local::stream_protocol::endpoint(endpoint.path));
  } else {
    bind_to = generic_stream::endpoint(resolve(server.io(), endpoint));
  }
  acceptor_.open(bind_to.protocol(), ec);
  if (!ec && endpoint.kind == config::Endpoint::Kind::tcp) {
    acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec && bind_to.protocol().family() == AF_INET6) {
      set_int_option(acceptor_.native_handle(), IPPROTO_IPV6, IPV6_V6ONLY, 1, "IPV6_V6ONLY");
    }
  }
  if (!ec) acceptor_.bind(bind_to, ec);
  if (!ec) acceptor_.listen(static_cast<int>(server.config().backlog), ec);
  if (ec) throw std::runtime_error("listen: " + endpoint.text + ": " + ec.message());
  if (endpoint.kind == config::Endpoint::Kind::tcp) {
    auto local = acceptor_.local_endpoint(ec);
    tcp::endpoint bound;
    std::memcpy(bound.data(), local.data(), std::min<std::size_t>(local.size(), sizeof(sockaddr_in6)));
    bound_port_ = bound.port();
  }
}

Listener::~Listener() { stop(); }

void Listener::start() {
  if (endpoint_.kind == config::Endpoint::Kind::unix_socket) {
    spdlog::info("listening on {}", endpoint_.text);
  } else {
    // The bound port, not the configured one: port 0 asks the kernel to pick.
    bool v6 = endpoint_.host.find(':') != std::string::npos;
    spdlog::info("listening on {}{}{}:{}", v6 ? "[" : "", endpoint_.host, v6 ? "]" : "",
                 bound_port_);
  }
  do_accept();
}

void Listener::stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  retry_timer_.cancel();
  if (endpoint_.kind == config::Endpoint::Kind::unix_socket) ::unlink(endpoint_.path.c_str());
}

void Listener::do_accept() {
  if (stopped_) return;
  acceptor_.async_accept([this](const boost::system::error_code& ec, generic_stream::socket socket) {
    on_accept(ec, std::move(socket));
  });
}

void Listener::on_accept(const boost::system::error_code& ec, generic_stream::socket socket) {
  if (stopped_ || ec == asio::error::operation_aborted) return;
  if (ec) {
    // Out of descriptors or memory: wait a little instead of spinning on a
    // listener that stays readable.
    spdlog::warn("accept on {}: {}", endpoint_.text, ec.message());
    retry_timer_.expires_after(std::chrono::milliseconds(100));
    retry_timer_.async_wait([this](const boost::system::error_code& wait_ec) {
      if (!wait_ec) do_accept();
    });
    return;
  }
  auto& sessions = server_.sessions();
  if (sessions.size() >= server_.config().max_connections) {
    ++server_.stats().rejected_connections;
    static constexpr std::string_view kRefusal = "-ERR max number of clients reached\r\n";
    boost::system::error_code write_ec;
    socket.non_blocking(true, write_ec);
    asio::write(socket, asio::buffer(kRefusal), write_ec);
    socket.close(write_ec);
    do_accept();
    return;
  }
  configure(socket);
  ++server_.stats().total_connections_received;
  auto peer = describe_peer(socket, endpoint_);
  auto session = std::make_shared<Session>(server_, std::move(socket), sessions.next_id(), peer);
  sessions.add(session);
  session->start();
  do_accept();
}

void Listener::configure(generic_stream::socket& socket) const {
  if (endpoint_.kind != config::Endpoint::Kind::tcp) return;
  int fd = socket.native_handle();
  set_int_option(fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
  const auto& config = server_.config();
  if (config.open_tcp_keepalive) {
    set_int_option(fd, SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE");
    set_int_option(fd, IPPROTO_TCP, TCP_KEEPIDLE, static_cast<int>(config.tcp_keepidle.count()),
                   "TCP_KEEPIDLE");
    set_int_option(fd, IPPROTO_TCP, TCP_KEEPINTVL,
                   static_cast<int>(config.tcp_keepinterval.count()), "TCP_KEEPINTVL");
    set_int_option(fd, IPPROTO_TCP, TCP_KEEPCNT, static_cast<int>(config.tcp_keepcount),
                   "TCP_KEEPCNT");
  }
}

}  // namespace tasq::server
