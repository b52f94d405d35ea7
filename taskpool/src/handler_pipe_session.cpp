#include "handler_pipe_session.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace tasq::taskpool::handlers {

namespace {

using std::chrono::milliseconds;

/// How often a wait with a stop check looks at it.
constexpr milliseconds kStopCheckInterval{100};
/// Without a pidfd the exit is noticed by polling at most this far apart.
constexpr milliseconds kExitCheckInterval{50};
/// What one read takes from a pipe.
constexpr std::size_t kReadBytes = 64 * 1024;
/// After a kill, what the pipes hold is bounded by their capacity; the cap
/// only guards against a writer outside the group that never stops.
constexpr int kMaxDrainReads = 64;

int poll_timeout(std::optional<PipeSession::Clock::time_point> until) {
  if (!until) return -1;
  const auto left = *until - PipeSession::Clock::now();
  if (left <= PipeSession::Clock::duration::zero()) return 0;
  return static_cast<int>(std::chrono::ceil<milliseconds>(left).count());
}

}  // namespace

PipeSession::PipeSession(FrameLimits limits, milliseconds frame_timeout, CoProcessOutput& output)
    : reader_(limits), frame_timeout_(frame_timeout), output_(output) {}

bool PipeSession::send(const FrameHeader& header, std::string_view part1, std::string_view part2) {
  header_ = encode_frame_header(header);
  iov_[0] = {header_.data(), header_.size()};
  iov_[1] = {const_cast<char*>(part1.data()), part1.size()};
  iov_[2] = {const_cast<char*>(part2.data()), part2.size()};
  iov_first_ = 0;
  frame_bytes_ = unsent_ = header_.size() + part1.size() + part2.size();
  write_pending();
  return !(unsent_ == frame_bytes_ && process_.tasks_fd() < 0);
}

void PipeSession::write_pending() {
  while (unsent_ > 0 && process_.tasks_fd() >= 0) {
    const ssize_t n = ::writev(process_.tasks_fd(), iov_ + iov_first_, 3 - iov_first_);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      // EPIPE: it closed fd 3 or is gone; the exit or EOF on fd 4 tells the rest.
      if (errno != EPIPE) spdlog::error("pipe handler: write(fd 3): {}", std::strerror(errno));
      process_.close_tasks();
      return;
    }
    auto left = static_cast<std::size_t>(n);
    unsent_ -= left;
    while (iov_first_ < 3 && left >= iov_[iov_first_].iov_len) {
      left -= iov_[iov_first_].iov_len;
      ++iov_first_;
    }
    if (iov_first_ < 3) {
      iov_[iov_first_].iov_base = static_cast<char*>(iov_[iov_first_].iov_base) + left;
      iov_[iov_first_].iov_len -= left;
    }
  }
}

bool PipeSession::nothing_read() const {
  const std::size_t written = frame_bytes_ - unsent_;
  if (written == 0) return true;
  if (process_.tasks_fd() < 0) return false;
  int queued = 0;
  if (::ioctl(process_.tasks_fd(), FIONREAD, &queued) != 0) {
    spdlog::error("pipe handler: ioctl(FIONREAD) on fd 3, to see whether the task was read: {}",
                  std::strerror(errno));
    return false;
  }
  return static_cast<std::size_t>(queued) == written;
}

bool PipeSession::read_replies() {
  for (;;) {
    auto space = reader_.prepare(kReadBytes);
    const ssize_t n = ::read(process_.replies_fd(), space.data(), space.size());
    if (n > 0) {
      reader_.commit(static_cast<std::size_t>(n));
      return true;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    if (n < 0) spdlog::error("pipe handler: read(fd 4): {}", std::strerror(errno));
    replies_eof_ = true;
    process_.close_replies();
    return false;
  }
}

bool PipeSession::read_output(OutputStream stream) {
  const int fd = stream == OutputStream::out ? process_.stdout_fd() : process_.stderr_fd();
  std::array<char, 16 * 1024> buffer;
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n > 0) {
      output_.append(stream, {buffer.data(), static_cast<std::size_t>(n)}, Clock::now());
      return true;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
    if (n < 0) spdlog::error("pipe handler: read(co-process output): {}", std::strerror(errno));
    if (stream == OutputStream::out) {
      process_.close_stdout();
    } else {
      process_.close_stderr();
    }
    return false;
  }
}

PipeSession::Event PipeSession::wait(Frame& frame, std::optional<Clock::time_point> deadline,
                                     const std::function<bool()>* stop) {
  for (;;) {
    const FrameStatus status = reader_.next(frame);
    if (status == FrameStatus::ok) {
      frame_started_.reset();
      return Event::frame;
    }
    if (status != FrameStatus::need_more) return Event::bad_frame;
    if (reader_.mid_frame()) {
      if (!frame_started_) frame_started_ = Clock::now();
    } else {
      frame_started_.reset();
    }
    if (exited_) return reader_.mid_frame() ? Event::eof_in_frame : Event::exited;
    if (replies_eof_) return reader_.mid_frame() ? Event::eof_in_frame : Event::replies_closed;

    const auto now = Clock::now();
    std::optional<Clock::time_point> until = deadline;
    bool frame_bound = false;
    if (frame_started_ && (!until || *frame_started_ + frame_timeout_ < *until)) {
      until = *frame_started_ + frame_timeout_;
      frame_bound = true;
    }
    if (until && now >= *until) return frame_bound ? Event::frame_stalled : Event::deadline;
    if (stop != nullptr && (*stop)()) return Event::stopped;
    int timeout_ms = poll_timeout(until);
    auto shorten = [&timeout_ms](milliseconds bound) {
      const int ms = static_cast<int>(bound.count());
      timeout_ms = timeout_ms < 0 ? ms : std::min(timeout_ms, ms);
    };
    if (stop != nullptr) shorten(kStopCheckInterval);
    if (process_.exit_fd() < 0) shorten(kExitCheckInterval);

    std::array<pollfd, 5> fds{};
    nfds_t count = 0;
    auto watch = [&](int fd, short events) -> const pollfd* {
      if (fd < 0) return nullptr;
      fds[count] = pollfd{.fd = fd, .events = events, .revents = 0};
      return &fds[count++];
    };
    const pollfd* tasks = unsent_ > 0 ? watch(process_.tasks_fd(), POLLOUT) : nullptr;
    const pollfd* replies = watch(process_.replies_fd(), POLLIN);
    const pollfd* out = watch(process_.stdout_fd(), POLLIN);
    const pollfd* err = watch(process_.stderr_fd(), POLLIN);
    const pollfd* exit_event = watch(process_.exit_fd(), POLLIN);

    const int ready = ::poll(fds.data(), count, timeout_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      spdlog::error("pipe handler: poll: {}", std::strerror(errno));
      return Event::poll_failed;
    }
    // Any event, error and hang-up included, is settled by trying the call.
    if (tasks != nullptr && tasks->revents != 0) write_pending();
    if (replies != nullptr && replies->revents != 0) read_replies();
    if (out != nullptr && out->revents != 0) read_output(OutputStream::out);
    if (err != nullptr && err->revents != 0) read_output(OutputStream::err);
    const bool exited = exit_event != nullptr ? exit_event->revents != 0
                                              : (process_.exit_fd() < 0 && process_.exited());
    if (exited) {
      // A reply written just before the exit still counts: read it all first.
      exited_ = true;
      drain();
    }
  }
}

void PipeSession::drain() {
  for (int reads = 0; process_.replies_fd() >= 0 && reads < kMaxDrainReads; ++reads) {
    const std::size_t before = reader_.buffered();
    if (!read_replies() || reader_.buffered() == before) break;
  }
  for (OutputStream stream : {OutputStream::out, OutputStream::err}) {
    const int fd = stream == OutputStream::out ? process_.stdout_fd() : process_.stderr_fd();
    for (int reads = 0; fd >= 0 && reads < kMaxDrainReads; ++reads) {
      if (!read_output(stream)) break;
    }
  }
}

bool PipeSession::wait_exit(milliseconds grace) {
  const auto until = Clock::now() + grace;
  while (!exited_) {
    Frame ignored;
    const Event event = wait(ignored, until, nullptr);
    if (event == Event::exited) return true;
    if (event == Event::deadline || event == Event::poll_failed || event == Event::bad_frame ||
        event == Event::frame_stalled) {
      return exited_;
    }
    // Frames and EOF on fd 4 say nothing about the exit: keep waiting, but
    // with fd 4 gone poll only the rest.
    if (event == Event::replies_closed || event == Event::eof_in_frame) {
      const int timeout_ms = poll_timeout(until);
      if (process_.exit_fd() >= 0) {
        pollfd exit_event{.fd = process_.exit_fd(), .events = POLLIN, .revents = 0};
        if (::poll(&exit_event, 1, timeout_ms) > 0) exited_ = true;
        return exited_;
      }
      while (!process_.exited()) {
        if (Clock::now() >= until) return false;
        ::usleep(10'000);
      }
      exited_ = true;
      return true;
    }
  }
  return true;
}

int PipeSession::end() {
  process_.kill_group();
  if (process_.running()) drain();
  output_.finish(Clock::now());
  return process_.wait();
}

}  // namespace tasq::taskpool::handlers
