// The `pipe:COMMAND` handler: each worker starts `/bin/sh -c COMMAND` once
// and streams its tasks to it, one at a time, over the worker protocol
// (docs/worker-protocol.md): TASK out on its fd 3, DONE or FAIL back on its
// fd 4. This file is the policy: when a co-process starts and restarts, what
// each frame may be at each moment, and what every kind of end means for the
// attempt in hand. The bytes move in handler_pipe_session.cpp.
//
// Failure statuses read like the shell's, as exec:'s do: the exit code, or
// 128+N for death by signal N; 124 for a timeout; 126 when no co-process
// could be started; 76 (EX_PROTOCOL) for a protocol error; 1 for a FAIL.

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "handler_factory.h"
#include "handler_pipe_session.h"
#include "handler_signals.h"
#include "process_status.h"

extern char** environ;  // NOLINT: POSIX declares it nowhere else

namespace tasq::taskpool::handlers {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kStatusFailed = 1;
constexpr int kStatusProtocol = 76;
constexpr int kStatusTimeout = 124;
constexpr int kStatusCannotStart = 126;

/// Back-off between failed starts: 1 s, doubling, at most 30 s.
constexpr milliseconds kFirstBackoff{1000};
constexpr milliseconds kMaxBackoff{30'000};
/// A co-process whose fd 4 closed gets this long to exit by itself before it
/// is killed; either way its exit status is in the reason.
constexpr milliseconds kExitAfterEofGrace{1000};

std::string seconds_text(milliseconds duration) {
  return fmt::format("{:g} s", static_cast<double>(duration.count()) / 1000.0);
}

/// Never 0: a co-process that exits 0 in the middle of a task failed it.
int coprocess_failure_status(int wait_status) {
  if (wait_status >= 0 && WIFEXITED(wait_status)) {
    return WEXITSTATUS(wait_status) == 0 ? kStatusFailed : WEXITSTATUS(wait_status);
  }
  if (wait_status >= 0 && WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return kStatusCannotStart;
}

std::string exit_text(int wait_status) {
  return describe_wait_status(wait_status, SignalName::with_name);
}

/// "; stderr: LINES" for a reason, or nothing when stderr said nothing.
std::string with_stderr(const CoProcessOutput& output) {
  const std::string tail = output.stderr_tail();
  return tail.empty() ? std::string() : "; stderr: " + tail;
}

/// The first bytes of what broke the stream, for a protocol error's text.
std::string describe_bad_frame(const FrameReader& reader) {
  switch (reader.error()) {
    case FrameStatus::bad_version:
      return fmt::format("bad version {} (this tasqd speaks 1)", reader.error_value());
    case FrameStatus::bad_type:
      return fmt::format("bad frame type {}", reader.error_value());
    case FrameStatus::unexpected_type:
      return fmt::format("a {} frame, which only tasqd sends",
                         frame_type_name(static_cast<std::uint8_t>(reader.error_value())));
    case FrameStatus::part_too_long:
      return fmt::format("a part of {} bytes, over package_max_length", reader.error_value());
    default:
      return std::string(describe(reader.error())) +
             " (not a frame: is something printing to fd 4?)";
  }
}

/// The worker's environment with TASQ_WORKER_ID and TASQ_PROTOCOL set once.
class CoProcessEnvironment {
 public:
  explicit CoProcessEnvironment(std::uint32_t worker_id) {
    own_ = {"TASQ_WORKER_ID=" + std::to_string(worker_id), "TASQ_PROTOCOL=1"};
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
      const std::string_view text(*entry);
      if (!text.starts_with("TASQ_WORKER_ID=") && !text.starts_with("TASQ_PROTOCOL=")) {
        pointers_.push_back(*entry);
      }
    }
    for (std::string& variable : own_) pointers_.push_back(variable.data());
    pointers_.push_back(nullptr);
  }
  [[nodiscard]] char* const* data() const { return pointers_.data(); }

 private:
  std::vector<std::string> own_;
  std::vector<char*> pointers_;
};

class PipeRunner final : public HandlerRunner {
 public:
  PipeRunner(std::string command, const HandlerOptions& options)
      : command_(std::move(command)),
        shell_line_(shell_line(command_)),
        options_(options),
        output_({.tail_bytes = options.stderr_tail_bytes},
                [this](OutputStream stream, std::string_view line) { log_line(stream, line); }) {
    prepare_worker_signals("pipe handler");
  }

  ~PipeRunner() override { end_session(); }

  int worker_start(std::uint32_t worker_id) override {
    environment_.emplace(worker_id);
    // One try now, so that a reload moves on to the next worker only once
    // this one's new co-process is ready. A failure is not the worker's: it
    // starts anyway and wait_until_ready() retries with back-off.
    start_session(true);
    return 0;
  }

  bool wait_until_ready() override {
    while (!ready()) {
      if (stop_requested()) return false;
      const auto now = Clock::now();
      if (now < next_start_) {
        // Sleeping in slices keeps a stop request noticed within 100 ms.
        const auto slice = std::min<Clock::duration>(next_start_ - now, milliseconds(100));
        ::usleep(static_cast<useconds_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(slice).count()));
        continue;
      }
      if (!start_session(true) && stop_requested()) return false;
    }
    return true;
  }

  TaskOutput run(const TaskInput& task, tasq_result& result) override {
    result.length = 0;
    for (int delivery = 0;; ++delivery) {
      if (!ready() && !start_session(false)) {
        return {.status = kStatusCannotStart,
                .reason = "co-process not ready: " + last_start_failure_};
      }
      std::optional<TaskOutput> output = exchange(task, result, delivery == 0);
      if (output) return std::move(*output);
      // The co-process was gone before it read any of this task: the task
      // did not run, so it goes to a fresh co-process without losing an attempt.
    }
  }

  void worker_stop(std::uint32_t /*worker_id*/) override {
    if (!session_) return;
    if (ready_) {
      session_->send({.type = FrameType::stop}, {}, {});
      if (!session_->wait_exit(options_.stop_grace)) {
        spdlog::warn("co-process {} did not exit within {} after STOP; killing its process group",
                     session_->pid(), seconds_text(options_.stop_grace));
      }
    }
    const pid_t pid = session_->pid();
    const int status = end_session();
    if (status >= 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
      spdlog::warn("co-process {} stopped: {}", pid, exit_text(status));
    } else {
      spdlog::debug("co-process {} stopped", pid);
    }
  }

 private:
  [[nodiscard]] bool ready() const { return session_ && ready_; }
  [[nodiscard]] bool stop_requested() const {
    return options_.stop_requested && options_.stop_requested();
  }

  /// Starts a co-process and waits for its READY. False on a failed start
  /// (logged, back-off set) or when a stop request ended the wait.
  bool start_session(bool watch_stop) {
    end_session();
    output_.reset();
    session_.emplace(
        FrameLimits{.max_part_bytes = options_.max_part_bytes, .allowed_types = kRepliesToTasqd},
        options_.pipe_start_timeout, output_);
    answered_ = 0;
    const auto started = Clock::now();
    std::string error;
    if (!session_->start(shell_line_, environment_->data(), error)) {
      end_session();
      return start_failed(error);
    }
    spdlog::debug("co-process {} started: {}", session_->pid(), command_);

    const std::function<bool()>* stop = watch_stop ? &options_.stop_requested : nullptr;
    if (stop != nullptr && !*stop) stop = nullptr;
    Frame frame;
    const auto event = session_->wait(frame, started + options_.pipe_start_timeout, stop);
    if (event == PipeSession::Event::frame && frame.type == FrameType::ready && frame.id == 0 &&
        frame.attempt == 0 && frame.part1.empty() && frame.part2.empty()) {
      ready_ = true;
      spdlog::debug("co-process {} ready in {} ms", session_->pid(),
                    std::chrono::duration_cast<milliseconds>(Clock::now() - started).count());
      return true;
    }
    std::string why;
    switch (event) {
      case PipeSession::Event::stopped:
        end_session();
        return false;
      case PipeSession::Event::frame:
        why = frame.type == FrameType::ready
                  ? "protocol error: READY with a task id or parts, which must be 0 and empty"
                  : "protocol error: " + frame_type_name(static_cast<std::uint8_t>(frame.type)) +
                        " before READY";
        break;
      case PipeSession::Event::deadline:
        why = "no READY within pipe_start_timeout (" + seconds_text(options_.pipe_start_timeout) +
              ")";
        break;
      case PipeSession::Event::bad_frame:
        why = "protocol error: " + describe_bad_frame(session_->reader());
        break;
      case PipeSession::Event::frame_stalled:
        why = "protocol error: READY begun and not finished";
        break;
      case PipeSession::Event::eof_in_frame:
        session_->wait_exit(kExitAfterEofGrace);
        why = "protocol error: EOF inside a frame";
        break;
      case PipeSession::Event::replies_closed:
        why = session_->wait_exit(kExitAfterEofGrace) ? "exited before READY"
                                                      : "closed fd 4 before READY";
        break;
      case PipeSession::Event::poll_failed:
        why = "lost track of it (poll failed)";
        break;
      case PipeSession::Event::exited:
        why = "exited before READY";
        break;
    }
    const int status = end_session();
    if (event != PipeSession::Event::deadline) why += " (" + exit_text(status) + ")";
    return start_failed(why + with_stderr(output_));
  }

  bool start_failed(const std::string& why) {
    last_start_failure_ = why;
    note_failed_life();
    spdlog::error("co-process for 'pipe:{}' did not start: {}; next try in {}", command_, why,
                  seconds_text(backoff_));
    return false;
  }

  /// A co-process that did not get to READY, or died idle before its first
  /// answer, failed to start: the next one waits 1 s, then 2, 4 ... 30. One
  /// that dies on a task restarts at once: that task's retries bound it.
  void note_failed_life() {
    ++failures_;
    backoff_ = failures_ == 1 ? kFirstBackoff : std::min(backoff_ * 2, kMaxBackoff);
    next_start_ = Clock::now() + backoff_;
  }

  /// Ends the current co-process, if any: kills its group, logs its last
  /// output, reaps it. Returns its wait status (-1 when there was none).
  int end_session() {
    if (!session_) return -1;
    const int status = session_->end();
    session_.reset();
    ready_ = false;
    return status;
  }

  /// One delivery of `task`. nullopt when the co-process turned out to be
  /// gone before it read a byte of it and this was the first delivery.
  std::optional<TaskOutput> exchange(const TaskInput& task, tasq_result& result, bool may_retry) {
    const pid_t pid = session_->pid();
    output_.forget_tail();
    const bool sent =
        session_->send({.type = FrameType::task,
                        .id = task.id,
                        .attempt = task.attempt,
                        .part1_bytes = static_cast<std::uint32_t>(task.queue.size()),
                        .part2_bytes = static_cast<std::uint32_t>(task.payload.size())},
                       task.queue, task.payload);
    std::optional<Clock::time_point> deadline;
    if (options_.task_timeout.count() > 0) deadline = Clock::now() + options_.task_timeout;
    Frame frame;
    const auto event =
        sent ? session_->wait(frame, deadline, nullptr) : PipeSession::Event::replies_closed;

    switch (event) {
      case PipeSession::Event::frame:
        return answer(task, frame, result);
      case PipeSession::Event::deadline: {
        end_session();
        std::string reason = "timed out after " + seconds_text(options_.task_timeout);
        spdlog::warn("task {}: {}; co-process {} and its process group killed", task.id, reason,
                     pid);
        return TaskOutput{.status = kStatusTimeout, .reason = reason + with_stderr(output_)};
      }
      case PipeSession::Event::bad_frame:
        return protocol_error(task, describe_bad_frame(session_->reader()));
      case PipeSession::Event::frame_stalled:
        return protocol_error(task, "a frame begun and not finished within pipe_start_timeout (" +
                                        seconds_text(options_.pipe_start_timeout) + ")");
      case PipeSession::Event::poll_failed:
        end_session();
        return TaskOutput{.status = kStatusCannotStart,
                          .reason = "lost track of the co-process (poll failed)"};
      default:
        break;  // it exited, or closed fd 4
    }

    const bool in_frame = event == PipeSession::Event::eof_in_frame;
    const bool undelivered = !in_frame && session_->nothing_read();
    const bool exited = session_->wait_exit(kExitAfterEofGrace);
    const int status = end_session();
    // Dying idle without ever answering is failing to start (READY, then
    // exit); dying on a task is that task's failure, bounded by its retries.
    if (undelivered && answered_ == 0) note_failed_life();
    if (undelivered && may_retry) {
      spdlog::warn("co-process {} ended between tasks ({}){}; starting another for task {}", pid,
                   exit_text(status), with_stderr(output_), task.id);
      return std::nullopt;
    }
    if (undelivered) {
      std::string reason =
          "co-process ended before it read the task: " + exit_text(status) + with_stderr(output_);
      spdlog::warn("task {}: {}", task.id, reason);
      return TaskOutput{.status = kStatusCannotStart, .reason = std::move(reason)};
    }
    if (in_frame) {
      return protocol_failure(task, pid, "EOF inside a frame (" + exit_text(status) + ")");
    }
    if (!exited) {
      return protocol_failure(task, pid, "fd 4 closed while the co-process runs");
    }
    std::string reason = "co-process exited mid-task: " + exit_text(status) + with_stderr(output_);
    spdlog::warn("task {}: {}", task.id, reason);
    return TaskOutput{.status = coprocess_failure_status(status), .reason = std::move(reason)};
  }

  /// A DONE or FAIL (or something else) while `task` runs.
  TaskOutput answer(const TaskInput& task, const Frame& frame, tasq_result& result) {
    const std::string type = frame_type_name(static_cast<std::uint8_t>(frame.type));
    if (frame.type == FrameType::ready) return protocol_error(task, "READY sent twice");
    if (session_->unsent() > 0) {
      return protocol_error(task, type + " before the whole TASK frame was read");
    }
    if (frame.id != task.id) {
      return protocol_error(
          task, fmt::format("{} for task {} while task {} runs", type, frame.id, task.id));
    }
    if (frame.attempt != 0) {
      return protocol_error(task, type + " with a non-zero attempt field");
    }
    if (frame.type == FrameType::done && !frame.part1.empty()) {
      return protocol_error(task, "DONE with a non-empty part 1");
    }
    if (frame.type == FrameType::done && frame.part2.size() > result.capacity) {
      return protocol_error(task, fmt::format("a result of {} bytes, over the {}-byte limit",
                                              frame.part2.size(), result.capacity));
    }
    ++answered_;
    failures_ = 0;
    TaskOutput output;
    if (frame.type == FrameType::done) {
      std::memcpy(result.data, frame.part2.data(), frame.part2.size());
      result.length = frame.part2.size();
    } else {
      output.status = kStatusFailed;
      output.reason = frame.part1.empty()
                          ? std::string(frame.part2)
                          : std::string(frame.part1).append(": ").append(frame.part2);
      if (output.reason.empty()) output.reason = "FAIL without a message";
    }
    // A co-process that answered and then exited is replaced before the
    // next task; its answer stands.
    if (session_->exited()) {
      const pid_t pid = session_->pid();
      const int status = end_session();
      spdlog::debug("co-process {} ended after task {}: {}", pid, task.id, exit_text(status));
    }
    return output;
  }

  TaskOutput protocol_error(const TaskInput& task, const std::string& what) {
    const pid_t pid = session_->pid();
    end_session();
    return protocol_failure(task, pid, what);
  }

  TaskOutput protocol_failure(const TaskInput& task, pid_t pid, const std::string& what) {
    std::string reason = "protocol error: " + what + with_stderr(output_);
    spdlog::warn("task {}: {}; co-process {} killed", task.id, reason, pid);
    return {.status = kStatusProtocol, .reason = std::move(reason)};
  }

  void log_line(OutputStream stream, std::string_view line) {
    const pid_t pid = session_ ? session_->pid() : 0;
    if (stream == OutputStream::err) {
      spdlog::warn("co-process {} stderr: {}", pid, line);
    } else {
      spdlog::info("co-process {} stdout: {}", pid, line);
    }
  }

  std::string command_;
  std::string shell_line_;  ///< what /bin/sh -c runs
  HandlerOptions options_;
  CoProcessOutput output_;
  std::optional<CoProcessEnvironment> environment_;
  std::optional<PipeSession> session_;
  bool ready_ = false;
  std::uint64_t answered_ = 0;  ///< tasks the current co-process answered
  std::uint32_t failures_ = 0;  ///< co-processes in a row that answered none
  milliseconds backoff_{0};
  Clock::time_point next_start_{};
  std::string last_start_failure_;
};

}  // namespace

std::unique_ptr<HandlerRunner> make_pipe_runner(std::string command,
                                                const HandlerOptions& options) {
  return std::make_unique<PipeRunner>(std::move(command), options);
}

}  // namespace tasq::taskpool::handlers
