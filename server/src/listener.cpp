#include "listener.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "resolve_endpoint.h"
#include "server.h"
#include "session.h"

namespace tasq::server {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using generic_stream = asio::generic::stream_protocol;

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

// A socket file left by an earlier run would make bind fail, so it goes; a
// live server on it is caught because connect succeeds. Anything that is
// not a socket is left alone: `listen unix:` naming a file by mistake must
// not delete it.
void remove_stale_socket(Server& server, const config::Endpoint& endpoint) {
  struct stat st {};
  if (::lstat(endpoint.path.c_str(), &st) != 0) {
    if (errno == ENOENT) return;
    throw std::runtime_error("listen: " + endpoint.text + ": lstat: " + std::strerror(errno));
  }
  if (!S_ISSOCK(st.st_mode)) {
    throw std::runtime_error("listen: " + endpoint.text +
                             ": the path exists and is not a socket; not removing it");
  }
  boost::system::error_code ec;
  asio::local::stream_protocol::socket probe(server.io());
  probe.connect(asio::local::stream_protocol::endpoint(endpoint.path), ec);
  if (!ec) throw std::runtime_error("listen: " + endpoint.text + ": another server is listening");
  if (::unlink(endpoint.path.c_str()) != 0 && errno != ENOENT) {
    throw std::runtime_error("listen: " + endpoint.text +
                             ": unlink of the old socket: " + std::strerror(errno));
  }
}

void set_int_option(int fd, int level, int name, int value, const char* what) {
  if (::setsockopt(fd, level, name, &value, sizeof value) != 0) {
    spdlog::warn("setsockopt({}): {}", what, std::strerror(errno));
  }
}

}  // namespace

Listener::Listener(Server& server, const config::Endpoint& endpoint)
    : server_(server), endpoint_(endpoint), acceptor_(server.io()), accept_pause_(server.io()) {
  boost::system::error_code ec;
  generic_stream::endpoint bind_to;
  if (endpoint.kind == config::Endpoint::Kind::unix_socket) {
    remove_stale_socket(server, endpoint);
    bind_to = generic_stream::endpoint(asio::local::stream_protocol::endpoint(endpoint.path));
  } else {
    bind_to = generic_stream::endpoint(resolve_endpoint(server.io(), endpoint, "listen"));
  }
  acceptor_.open(bind_to.protocol(), ec);
  if (!ec && endpoint.kind == config::Endpoint::Kind::tcp) {
    acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec && bind_to.protocol().family() == AF_INET6) {
      set_int_option(acceptor_.native_handle(), IPPROTO_IPV6, IPV6_V6ONLY, 1, "IPV6_V6ONLY");
    }
  }
  if (!ec) acceptor_.bind(bind_to, ec);
  if (ec) throw std::runtime_error("listen: " + endpoint.text + ": " + ec.message());
  // Before listen(): no client can connect while the mode is still the umask's.
  const auto& perm = server.config().unixsocketperm;
  if (endpoint.kind == config::Endpoint::Kind::unix_socket && perm &&
      ::chmod(endpoint.path.c_str(), static_cast<mode_t>(*perm)) != 0) {
    throw std::runtime_error("listen: " + endpoint.text +
                             ": chmod for unixsocketperm: " + std::strerror(errno));
  }
  acceptor_.listen(static_cast<int>(server.config().backlog), ec);
  if (ec) throw std::runtime_error("listen: " + endpoint.text + ": " + ec.message());
  if (endpoint.kind == config::Endpoint::Kind::unix_socket) {
    struct stat st {};
    if (::lstat(endpoint.path.c_str(), &st) == 0) {
      socket_device_ = st.st_dev;
      socket_inode_ = st.st_ino;
    } else {
      spdlog::warn("lstat {}: {} (the socket will not be removed at exit)", endpoint.path,
                   std::strerror(errno));
    }
  }
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
  accept_pause_.cancel();
  // Only the socket bound here: the path may have been given to something
  // else since, and that is not ours to remove.
  struct stat st {};
  if (endpoint_.kind == config::Endpoint::Kind::unix_socket && socket_inode_ != 0 &&
      ::lstat(endpoint_.path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode) &&
      st.st_dev == socket_device_ && st.st_ino == socket_inode_) {
    ::unlink(endpoint_.path.c_str());
  }
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
    accept_pause_.after(ec, endpoint_.text, [this] { do_accept(); });
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
