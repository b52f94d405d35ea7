#pragma once
// Internal: one life of a `pipe:` co-process as the worker sees it — the
// process, the frames in both directions and its output, moved by one poll
// loop so that no size of task, result or log output can deadlock the two.
// What a frame means (READY before tasks, a DONE for the right id) is the
// runner's business (handler_pipe.cpp); this only moves bytes and says what
// happened.

#include <sys/uio.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "handler_pipe_frame.h"
#include "handler_pipe_output.h"
#include "handler_pipe_process.h"

namespace tasq::taskpool::handlers {

class PipeSession {
 public:
  using Clock = std::chrono::steady_clock;

  enum class Event {
    frame,           ///< a whole frame arrived (see the frame argument)
    exited,          ///< the co-process exited, with no whole frame left to read
    replies_closed,  ///< fd 4 reached EOF at a frame boundary; the process may live on
    eof_in_frame,    ///< fd 4 reached EOF in the middle of a frame
    bad_frame,       ///< the reader refused the bytes (reader().error() says why)
    frame_stalled,   ///< a frame was begun and not finished within frame_timeout
    deadline,        ///< the caller's deadline passed
    stopped,         ///< the caller's stop check turned true
    poll_failed,     ///< poll() failed (logged)
  };

  /// `frame_timeout` bounds how long a begun frame may stay incomplete.
  PipeSession(FrameLimits limits, std::chrono::milliseconds frame_timeout, CoProcessOutput& output);

  bool start(const std::string& command, char* const envp[], std::string& error) {
    return process_.start(command, envp, error);
  }
  [[nodiscard]] pid_t pid() const { return process_.pid(); }
  /// True once wait() saw the co-process exit (it is not reaped until end()).
  [[nodiscard]] bool exited() const { return exited_; }
  [[nodiscard]] const FrameReader& reader() const { return reader_; }

  /// Starts sending a frame: header, then the two parts, which must stay
  /// valid until wait() returns. What the pipe does not take now is written
  /// by wait(). False when the co-process's fd 3 has no reader (EPIPE) and
  /// nothing of the frame was written.
  bool send(const FrameHeader& header, std::string_view part1, std::string_view part2);
  /// Bytes of the last frame not yet written into the pipe.
  [[nodiscard]] std::size_t unsent() const { return unsent_; }
  /// True when the co-process has read nothing of the last frame sent: it
  /// still sits whole in the pipe (FIONREAD) or was never written.
  [[nodiscard]] bool nothing_read() const;

  /// Moves bytes until something happens (see Event). `stop`, when given, is
  /// checked at least every 100 ms.
  Event wait(Frame& frame, std::optional<Clock::time_point> deadline,
             const std::function<bool()>* stop);

  /// Waits up to `grace` for the co-process to exit by itself (logging its
  /// output meanwhile); true when it did.
  bool wait_exit(std::chrono::milliseconds grace);
  /// Kills the group, reads what the pipes still hold, logs the last partial
  /// lines and reaps the shell: its wait status, or -1 when lost.
  int end();

 private:
  void write_pending();
  /// One read from fd 4 into the frame reader; false at EOF or error.
  bool read_replies();
  /// One read from stdout or stderr into the output; false at EOF or error.
  bool read_output(OutputStream stream);
  void drain();

  CoProcess process_;
  FrameReader reader_;
  std::chrono::milliseconds frame_timeout_;
  CoProcessOutput& output_;
  std::optional<Clock::time_point> frame_started_;
  bool exited_ = false;
  bool replies_eof_ = false;

  iovec iov_[3]{};
  int iov_first_ = 0;
  std::array<char, kFrameHeaderBytes> header_{};
  std::size_t unsent_ = 0;
  std::size_t frame_bytes_ = 0;  ///< the whole of the last frame sent
};

}  // namespace tasq::taskpool::handlers
