// A session whose client waits in XREAD BLOCK: registered with TaskResults
// on the keys it reads, answered in the reactor turn in which an entry comes
// for it (or with a null when its timeout passes), and taken off every list
// the moment it disconnects. Nothing polls: an idle waiter costs a timer, an
// epoll registration and the Wait below.

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "server.h"
#include "session.h"

namespace tasq::server {
namespace {

namespace asio = boost::asio;

// What a blocked client may send before its answer is read in and held: one
// more request's worth. Past it the socket is no longer watched until the
// answer is out (the kernel holds the rest, and TCP slows the client down).
constexpr std::size_t kHeldWhileBlocked = 64 * 1024;
constexpr std::size_t kReadWhileBlocked = 4 * 1024;

}  // namespace

class Session::Wait final : public BlockedRead {
 public:
  Wait(Session& session, BlockRequest& request)
      : BlockedRead(std::move(request.keys), std::move(request.after), request.count),
        session_(session) {}

  void on_stream_ready() override { session_.on_stream_ready(); }

  std::unique_ptr<asio::steady_timer> timer;

 private:
  Session& session_;
};

void Session::enter_block(BlockRequest request) {
  auto wait = std::make_unique<Wait>(*this, request);
  if (request.timeout_ms > 0) {
    wait->timer = std::make_unique<asio::steady_timer>(server_.io());
    wait->timer->expires_after(std::chrono::milliseconds(request.timeout_ms));
    wait->timer->async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->on_block_timeout();
    });
  }
  blocked_ = std::move(wait);
  server_.results().block(*blocked_);
}

void Session::on_stream_ready() {
  if (!blocked_ || stopped_) return;
  resp::ReplyWriter reply(out_, client_.protocol);
  if (!server_.results().try_read(*blocked_, reply)) return;
  leave_block();
  resume_after_block();
}

void Session::on_block_timeout() {
  if (!blocked_ || stopped_) return;
  resp::ReplyWriter reply(out_, client_.protocol);
  reply.null_array();
  leave_block();
  resume_after_block();
}

void Session::leave_block() {
  server_.results().unblock(*blocked_);
  blocked_.reset();  // its timer goes with it (cancelled)
}

void Session::resume_after_block() {
  last_activity_ = Clock::now();
  server_.sessions().touch(*this);
  flush();
  asio::post(server_.io(), [self = shared_from_this()] {
    if (self->stopped_ || self->blocked_) return;
    self->process();
    self->do_read();
  });
}

void Session::watch_while_blocked() {
  if (reading_ || stopped_) return;
  if (parser_.buffered() > kHeldWhileBlocked) return;
  parser_.release_idle_buffer();
  reading_ = true;
  socket_.async_wait(Socket::wait_read,
                     [self = shared_from_this()](const boost::system::error_code& ec) {
                       self->on_readable_while_blocked(ec);
                     });
}

// Readable while blocked: the client left (EOF, reset), or it sent more.
// What it sent is read in and kept, to run once the XREAD is answered, as
// Redis runs a blocked client's next commands after it unblocks.
void Session::on_readable_while_blocked(const boost::system::error_code& ec) {
  reading_ = false;
  if (stopped_) return;
  if (ec) {
    if (ec != asio::error::operation_aborted) stop();
    return;
  }
  if (!blocked_) {
    do_read();
    return;
  }
  auto buffer = parser_.prepare(kReadWhileBlocked);
  boost::system::error_code read_ec;
  const std::size_t bytes = socket_.read_some(asio::buffer(buffer.data(), buffer.size()), read_ec);
  parser_.commit(read_ec ? 0 : bytes);
  if (read_ec == asio::error::would_block || read_ec == asio::error::try_again) {
    do_read();
    return;
  }
  if (read_ec) {
    if (read_ec != asio::error::eof && read_ec != asio::error::connection_reset) {
      spdlog::debug("client {} ({}): read while blocked: {}", client_.id, client_.peer,
                    read_ec.message());
    }
    stop();
    return;
  }
  do_read();
}

}  // namespace tasq::server
