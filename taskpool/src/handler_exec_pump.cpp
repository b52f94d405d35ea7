#include "handler_exec_pump.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace tasq::taskpool::handlers {

namespace {

using Clock = std::chrono::steady_clock;

// One read(): the byte count, 0 when the pipe is empty for now, -1 when the
// stream is finished for us (EOF, or an error, which is logged).
ssize_t read_once(int fd, char* buffer, std::size_t size, const char* stream) {
  for (;;) {
    const ssize_t n = ::read(fd, buffer, size);
    if (n > 0) return n;
    if (n == 0) return -1;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    spdlog::error("exec handler: read({}): {}", stream, std::strerror(errno));
    return -1;
  }
}

// Without a pidfd the exit is noticed by polling: quickly at first, since
// most commands are short, then backing off to 20 checks a second.
constexpr std::chrono::milliseconds max_exit_check_interval{50};

// After a kill, what the pipes still hold is bounded by their capacity; the
// cap only guards against a writer outside the group that never stops.
constexpr int max_drain_reads = 64;

}  // namespace

void TailBuffer::append(std::string_view bytes) {
  if (bytes.size() >= limit_) {
    cut_ = cut_ || !text_.empty() || bytes.size() > limit_;
    text_.assign(bytes.substr(bytes.size() - limit_));
    return;
  }
  text_.append(bytes);
  if (text_.size() > limit_) {
    text_.erase(0, text_.size() - limit_);
    cut_ = true;
  }
}

ExecPump::ExecPump(ShellProcess& child, std::string_view payload, std::size_t written,
                   tasq_result& result, TailBuffer& errors, std::span<char> scratch)
    : child_(child),
      payload_(payload),
      written_(written),
      result_(result),
      errors_(errors),
      scratch_(scratch) {}

void ExecPump::write_stdin() {
  while (written_ < payload_.size()) {
    const ssize_t n =
        ::write(child_.stdin_fd(), payload_.data() + written_, payload_.size() - written_);
    if (n >= 0) {
      written_ += static_cast<std::size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    // EPIPE: the command does not read (all of) its input, which is its right.
    // SIGPIPE is ignored in the worker, so this is the only trace of it.
    if (errno != EPIPE) spdlog::error("exec handler: write(stdin): {}", std::strerror(errno));
    break;
  }
  child_.close_stdin();  // all written, or no reader: either way the command sees EOF
}

ExecPump::Read ExecPump::read_stdout() {
  const std::size_t room = result_.capacity - result_.length;
  char* target = room > 0 ? result_.data + result_.length : scratch_.data();
  const ssize_t n =
      read_once(child_.stdout_fd(), target, room > 0 ? room : scratch_.size(), "stdout");
  if (n < 0) {
    child_.close_stdout();
    return Read::closed;
  }
  if (n == 0) return Read::again;
  const auto got = static_cast<std::size_t>(n);
  stdout_bytes_ += got;
  if (room > 0) result_.length += got;
  return Read::data;
}

ExecPump::Read ExecPump::read_stderr() {
  const ssize_t n = read_once(child_.stderr_fd(), scratch_.data(), scratch_.size(), "stderr");
  if (n < 0) {
    child_.close_stderr();
    return Read::closed;
  }
  if (n == 0) return Read::again;
  errors_.append({scratch_.data(), static_cast<std::size_t>(n)});
  return Read::data;
}

void ExecPump::drain() {
  child_.close_stdin();
  for (int reads = 0; child_.stdout_fd() >= 0 && reads < max_drain_reads; ++reads) {
    if (read_stdout() != Read::data) break;
  }
  for (int reads = 0; child_.stderr_fd() >= 0 && reads < max_drain_reads; ++reads) {
    if (read_stderr() != Read::data) break;
  }
}

PumpEnd ExecPump::run(std::optional<Clock::time_point> deadline) {
  if (written_ >= payload_.size()) child_.close_stdin();
  std::chrono::milliseconds exit_check{1};

  for (;;) {
    // Checked before every poll, so a chatty command cannot starve the timeout.
    int timeout_ms = -1;
    if (deadline) {
      const auto left = *deadline - Clock::now();
      if (left <= Clock::duration::zero()) {
        child_.kill_group();
        drain();
        return PumpEnd::timed_out;
      }
      timeout_ms = static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(left).count());
    }
    if (child_.exit_fd() < 0) {
      const int check_ms = static_cast<int>(exit_check.count());
      timeout_ms = timeout_ms < 0 ? check_ms : std::min(timeout_ms, check_ms);
    }

    std::array<pollfd, 4> fds{};
    nfds_t count = 0;
    auto watch = [&](int fd, short events) -> pollfd* {
      if (fd < 0) return nullptr;
      fds[count] = pollfd{.fd = fd, .events = events, .revents = 0};
      return &fds[count++];
    };
    const pollfd* in = watch(child_.stdin_fd(), POLLOUT);
    const pollfd* out = watch(child_.stdout_fd(), POLLIN);
    const pollfd* err = watch(child_.stderr_fd(), POLLIN);
    const pollfd* exit_event = watch(child_.exit_fd(), POLLIN);

    const int ready = ::poll(fds.data(), count, timeout_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      spdlog::error("exec handler: poll: {}", std::strerror(errno));
      child_.kill_group();
      return PumpEnd::failed;
    }
    // Any event, error and hang-up included, is settled by trying the call.
    if (in != nullptr && in->revents != 0) write_stdin();
    if (out != nullptr && out->revents != 0) read_stdout();
    if (err != nullptr && err->revents != 0) read_stderr();

    bool exited = exit_event != nullptr && exit_event->revents != 0;
    if (exit_event == nullptr) {
      exited = child_.exited();
      if (!exited && ready == 0) exit_check = std::min(exit_check * 2, max_exit_check_interval);
    }
    if (exited) {
      // The task is over when the shell is: whatever it left running (a
      // background job holding our pipes, say) goes with it. The unreaped
      // shell keeps the group id from being reused until then.
      child_.kill_group();
      drain();
      return PumpEnd::exited;
    }
  }
}

}  // namespace tasq::taskpool::handlers
