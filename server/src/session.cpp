#include "session.h"

#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include "command_table.h"
#include "server.h"
#include "tasq/resp/reply_writer.h"

namespace tasq::server {
namespace {

namespace asio = boost::asio;

// Past this much unsent output a session stops reading and stops running
// the commands it already holds until the client has read some replies, as
// Redis stops serving a client whose output buffer is over its limit. It
// bounds the memory a client that never reads can make the server hold to
// this plus one reply.
constexpr std::size_t kOutputSoftLimit = 256 * 1024;
// A single batch can never legitimately produce this much; past it the
// client is closed (Redis's client-output-buffer-limit hard bound).
constexpr std::size_t kOutputHardLimit = 64 * 1024 * 1024;
// How long a push may wait for ring space before it is answered with an error.
constexpr std::chrono::seconds kPushWaitLimit{5};
// The smallest read buffer offered to the kernel per read.
constexpr std::size_t kReadChunk = 16 * 1024;
// A command's argument table this big is given back once the batch is run:
// one command of many small arguments must not keep its memory for good.
constexpr std::size_t kArgsKeep = 1024;

resp::ParserLimits limits_for(const config::Config& config) {
  resp::ParserLimits limits;
  limits.max_bulk_bytes = config.package_max_length_bytes;
  limits.max_request_bytes = config.package_max_length_bytes + 64 * 1024;
  return limits;
}

}  // namespace

Session::Session(Server& server, Socket socket, std::uint64_t id, std::string peer)
    : server_(server),
      intake_(server.intake()),
      socket_(std::move(socket)),
      parser_(limits_for(server.config())),
      last_activity_(Clock::now()) {
  client_.id = id;
  client_.peer = std::move(peer);
  client_.authenticated = server.config().requirepass.empty();
  parser_.set_authenticated(client_.authenticated);
}

void Session::start() {
  // flush() writes directly and must get would_block, not wait, when the
  // client is slow to read.
  boost::system::error_code ec;
  socket_.non_blocking(true, ec);
  do_read();
}

void Session::stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ignored;
  socket_.shutdown(Socket::shutdown_both, ignored);
  socket_.close(ignored);
  if (park_timer_) park_timer_->cancel();
  server_.sessions().remove(*this);
}

void Session::close_after_output() {
  if (parked_) {
    stop();
    return;
  }
  closing_ = true;
  if (!writing_busy_ && out_.empty()) stop();
}

bool Session::output_over_limit() const { return out_.size() + writing_.size() > kOutputSoftLimit; }

void Session::do_read() {
  if (reading_ || parked_ || closing_ || stopped_ || output_over_limit()) return;
  reading_ = true;
  auto buffer = parser_.prepare(kReadChunk);
  socket_.async_read_some(asio::buffer(buffer.data(), buffer.size()),
                          [self = shared_from_this()](const boost::system::error_code& ec,
                                                      std::size_t bytes) { self->on_read(ec, bytes); });
}

void Session::on_read(const boost::system::error_code& ec, std::size_t bytes) {
  reading_ = false;
  if (stopped_) return;
  if (ec) {
    if (ec != asio::error::eof && ec != asio::error::operation_aborted &&
        ec != asio::error::connection_reset) {
      spdlog::debug("client {} ({}): read: {}", client_.id, client_.peer, ec.message());
    }
    stop();
    return;
  }
  parser_.commit(bytes);
  last_activity_ = Clock::now();
  server_.sessions().touch(*this);
  process();
  do_read();
}

// Runs the complete commands the parser holds, in order, until one must wait
// (a push into a full ring), the output is over its bound, or the buffer has
// no complete command left. Views in args_ stay valid while the session is
// parked because nothing is read into the parser until it resumes.
void Session::process() {
  // A batch cut short by the output bound goes on once a direct write has
  // emptied the output: no read may be needed to run what is buffered.
  while (run_buffered()) {
    flush();
    if (stopped_ || writing_busy_ || awaiting_commit_ || output_over_limit()) return;
  }
  flush();
}

bool Session::run_buffered() {
  resp::ReplyWriter reply(out_, client_.protocol);
  bool cut_short = false;
  while (!parked_ && !closing_ && !stopped_) {
    if (output_over_limit()) {
      cut_short = true;
      break;
    }
    auto status = parser_.next(args_);
    if (status == resp::ParseStatus::need_more) break;
    if (status != resp::ParseStatus::ok) {
      protocol_error(status);
      break;
    }
    ++server_.stats().total_commands_processed;
    if (run_command(reply) == Disposition::park) {
      --server_.stats().total_commands_processed;  // counted when it runs
      park();
      break;
    }
    reply.set_protocol(client_.protocol);  // HELLO may have switched it
    // AUTH lifts Redis's unauthenticated bounds from the next command on.
    parser_.set_authenticated(client_.authenticated);
    if (client_.close_requested) closing_ = true;
  }
  if (!parked_) {
    parser_.compact();
    if (args_.capacity() > kArgsKeep) std::vector<std::string_view>().swap(args_);
  }
  if (out_.size() > kOutputHardLimit) {
    spdlog::warn("client {} ({}): closed: output buffer over {} bytes", client_.id, client_.peer,
                 kOutputHardLimit);
    stop();
    return false;
  }
  return cut_short;
}

Disposition Session::run_command(resp::ReplyWriter& reply) {
  const std::uint64_t appends = intake_.journal_appends();
  const std::size_t begin = out_.size();
  CommandContext context{server_, client_, reply, args_};
  Disposition disposition = dispatch_command(context);
  if (intake_.journal_appends() != appends) held_acks_.emplace_back(begin, out_.size());
  return disposition;
}

void Session::protocol_error(resp::ParseStatus status) {
  resp::ReplyWriter reply(out_, client_.protocol);
  reply.error(std::string("ERR Protocol error: ") + parser_.error_message());
  spdlog::info("client {} ({}): protocol error: {}", client_.id, client_.peer,
               parser_.error_message());
  (void)status;
  closing_ = true;
}

void Session::flush() {
  if (stopped_ || writing_busy_ || awaiting_commit_) return;
  if (!held_acks_.empty()) {
    awaiting_commit_ = true;
    intake_.hold_until_written(shared_from_this());
    return;
  }
  if (out_.empty()) {
    if (closing_) stop();
    return;
  }
  // Most batches of replies fit the socket's buffer: write them at once and
  // spare the trip through the reactor that an async write costs.
  boost::system::error_code ec;
  std::size_t written = socket_.write_some(asio::buffer(out_), ec);
  if (!ec && written == out_.size()) {
    out_.clear();
    if (out_.capacity() > kOutputSoftLimit) std::string().swap(out_);
    if (closing_) stop();
    return;
  }
  if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
    if (ec != asio::error::broken_pipe && ec != asio::error::connection_reset) {
      spdlog::debug("client {} ({}): write: {}", client_.id, client_.peer, ec.message());
    }
    stop();
    return;
  }
  out_.erase(0, written);
  writing_busy_ = true;
  writing_.swap(out_);
  asio::async_write(socket_, asio::buffer(writing_),
                    [self = shared_from_this()](const boost::system::error_code& write_ec,
                                                std::size_t bytes) { self->on_write(write_ec, bytes); });
}

void Session::on_write(const boost::system::error_code& ec, std::size_t /*bytes*/) {
  writing_busy_ = false;
  if (stopped_) return;
  if (ec) {
    if (ec != asio::error::operation_aborted && ec != asio::error::broken_pipe &&
        ec != asio::error::connection_reset) {
      spdlog::debug("client {} ({}): write: {}", client_.id, client_.peer, ec.message());
    }
    stop();
    return;
  }
  writing_.clear();
  if (writing_.capacity() > kOutputSoftLimit) std::string().swap(writing_);
  // Commands held back while the output was over its bound run now.
  if (!parked_ && !closing_) process();
  else flush();
  do_read();
}

void Session::park() {
  parked_ = true;
  if (!park_timer_) park_timer_ = std::make_unique<asio::steady_timer>(server_.io());
  park_timer_->expires_after(kPushWaitLimit);
  park_timer_->async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    self->on_park_timeout(ec);
  });
  intake_.wait_for_space(weak_from_this());
}

void Session::on_ring_space() {
  if (!parked_ || stopped_) return;
  resp::ReplyWriter reply(out_, client_.protocol);
  if (run_command(reply) == Disposition::park) {
    intake_.wait_for_space(weak_from_this());
    return;
  }
  ++server_.stats().total_commands_processed;
  parked_ = false;
  park_timer_->cancel();
  process();
  do_read();
}

void Session::on_park_timeout(const boost::system::error_code& ec) {
  if (ec || !parked_ || stopped_) return;
  parked_ = false;
  ++server_.stats().total_commands_processed;
  resp::ReplyWriter reply(out_, client_.protocol);
  reply.error("ERR task ring is full: the task was not accepted, try again later");
  process();
  do_read();
}

}  // namespace tasq::server

namespace tasq::server {

void Session::on_journal_commit(const std::string& failure) {
  awaiting_commit_ = false;
  if (stopped_) return;
  if (!failure.empty()) {
    // Each acknowledgement becomes the error; the replies around them stay.
    std::string rebuilt;
    rebuilt.reserve(out_.size());
    resp::ReplyWriter reply(rebuilt, client_.protocol);
    std::size_t at = 0;
    for (auto [begin, end] : held_acks_) {
      rebuilt.append(out_, at, begin - at);
      reply.error("ERR " + failure);
      at = end;
    }
    rebuilt.append(out_, at, std::string::npos);
    out_.swap(rebuilt);
  }
  held_acks_.clear();
  process();
  do_read();
}

}  // namespace tasq::server
