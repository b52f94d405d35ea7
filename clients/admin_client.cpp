#include "admin_client.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "tasq/config/config.h"

namespace tasq::clients {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

AdminReply admin_request(const std::string& address, const std::string& datagram,
                         std::chrono::milliseconds timeout, bool retry) {
  // The same HOST:PORT / [v6]:PORT syntax as tasqd's admin directive.
  std::string why;
  auto target = config::parse_endpoint(address, &why);
  if (target && target->kind != config::Endpoint::Kind::tcp) {
    why = "the admin port is UDP: use HOST:PORT";
    target.reset();
  }
  if (!target) return {false, "bad admin address '" + address + "': " + why};
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  auto port = std::to_string(target->port);
  if (int rc = ::getaddrinfo(target->host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return {false, "cannot resolve '" + address + "': " + ::gai_strerror(rc)};
  }
  Fd fd(::socket(found->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  // connect() makes the kernel drop datagrams from anyone but the server
  // and reports "connection refused" when nothing listens there.
  bool connected = fd.get() >= 0 && ::connect(fd.get(), found->ai_addr, found->ai_addrlen) == 0;
  ::freeaddrinfo(found);
  if (!connected) return {false, std::string("cannot reach ") + address + ": " + std::strerror(errno)};

  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto resend_at = std::chrono::steady_clock::now() + timeout / 2;
  bool resent = !retry;
  if (::send(fd.get(), datagram.data(), datagram.size(), 0) < 0) {
    return {false, std::string("send to ") + address + ": " + std::strerror(errno)};
  }
  char buffer[65536];
  for (;;) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    auto until = resent ? deadline : std::min(deadline, resend_at);
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count();
    pollfd pfd{fd.get(), POLLIN, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(std::max<long long>(wait, 1)));
    if (ready > 0) {
      ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
      if (n >= 0) return {true, std::string(buffer, static_cast<std::size_t>(n))};
      if (errno == ECONNREFUSED) return {false, "nothing listens on " + address + " (udp)"};
      if (errno != EINTR) return {false, std::string("receive: ") + std::strerror(errno)};
    } else if (!resent && std::chrono::steady_clock::now() >= resend_at) {
      resent = true;
      ::send(fd.get(), datagram.data(), datagram.size(), 0);
    }
  }
  return {false, "no reply from " + address + " within " + std::to_string(timeout.count()) +
                     " ms (is tasqd running with its admin port there?)"};
}

}  // namespace tasq::clients
