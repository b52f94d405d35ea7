#include "handler_pipe_output.h"

#include <algorithm>

namespace tasq::taskpool::handlers {

namespace {
constexpr std::string_view kCutMark = " [line cut]";
}  // namespace

std::string escape_output(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size());
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\\') {
      out += "\\\\";
    } else if ((byte < 0x20 && c != '\t') || byte == 0x7f) {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

CoProcessOutput::CoProcessOutput(OutputLimits limits, Sink sink)
    : limits_(limits), sink_(std::move(sink)), budget_(static_cast<double>(limits.burst_lines)) {}

void CoProcessOutput::append(OutputStream stream, std::string_view bytes, Clock::time_point now) {
  Partial& partial = partial_[static_cast<int>(stream)];
  while (!bytes.empty()) {
    const std::size_t newline = bytes.find('\n');
    const std::string_view piece = bytes.substr(0, newline);
    if (!partial.cut) {
      const std::size_t room =
          limits_.max_line_bytes - std::min(limits_.max_line_bytes, partial.text.size());
      partial.text.append(piece.substr(0, room));
      partial.cut = piece.size() > room;
    }
    if (newline == std::string_view::npos) return;
    end_line(stream, now);
    bytes.remove_prefix(newline + 1);
  }
}

void CoProcessOutput::end_line(OutputStream stream, Clock::time_point now) {
  Partial& partial = partial_[static_cast<int>(stream)];
  std::string_view raw = partial.text;
  if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
  std::string line = escape_output(raw);
  if (partial.cut) line += kCutMark;
  partial = {};
  if (stream == OutputStream::err) remember_error_line(line);
  if (!take_budget(now)) {
    ++dropped_;
    ++dropped_total_;
    return;
  }
  if (dropped_ > 0) {
    sink_(OutputStream::err,
          "[" + std::to_string(dropped_) + " line(s) of output dropped: more than the log takes]");
    dropped_ = 0;
  }
  sink_(stream, line);
}

bool CoProcessOutput::take_budget(Clock::time_point now) {
  if (refilled_ != Clock::time_point{} && now > refilled_) {
    const double seconds = std::chrono::duration<double>(now - refilled_).count();
    budget_ = std::min(static_cast<double>(limits_.burst_lines),
                       budget_ + seconds * limits_.lines_per_second);
  }
  refilled_ = now;
  if (budget_ < 1.0) return false;
  budget_ -= 1.0;
  return true;
}

void CoProcessOutput::remember_error_line(const std::string& line) {
  if (limits_.tail_bytes == 0) return;
  tail_.push_back(line.substr(0, limits_.tail_bytes));
  tail_size_ += tail_.back().size() + 1;
  while (tail_size_ > limits_.tail_bytes + 1 && tail_.size() > 1) {  // n lines, n-1 newlines
    tail_size_ -= tail_.front().size() + 1;
    tail_.pop_front();
    tail_cut_ = true;
  }
}

void CoProcessOutput::finish(Clock::time_point now) {
  for (OutputStream stream : {OutputStream::out, OutputStream::err}) {
    const Partial& partial = partial_[static_cast<int>(stream)];
    if (!partial.text.empty() || partial.cut) end_line(stream, now);
  }
  if (dropped_ > 0) {
    sink_(OutputStream::err,
          "[" + std::to_string(dropped_) + " line(s) of output dropped: more than the log takes]");
    dropped_ = 0;
  }
}

void CoProcessOutput::reset() {
  partial_[0] = {};
  partial_[1] = {};
  forget_tail();
}

void CoProcessOutput::forget_tail() {
  tail_.clear();
  tail_size_ = 0;
  tail_cut_ = false;
}

std::string CoProcessOutput::stderr_tail() const {
  std::string text = tail_cut_ ? "...\n" : "";
  for (const std::string& line : tail_) {
    if (&line != &tail_.front()) text += '\n';
    text += line;
  }
  return tail_.empty() ? std::string() : text;
}

}  // namespace tasq::taskpool::handlers
