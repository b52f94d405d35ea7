#include "worker_settings.h"

#include <cstdint>
#include <cstring>

namespace tasq::taskpool {
namespace {

template <typename T>
void put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

template <typename T>
bool take(std::string_view& in, T& value) {
  if (in.size() < sizeof(T)) return false;
  std::memcpy(&value, in.data(), sizeof(T));
  in.remove_prefix(sizeof(T));
  return true;
}

bool take_text(std::string_view& in, std::string& text) {
  std::uint64_t length = 0;
  if (!take(in, length) || length > in.size()) return false;
  text.assign(in.substr(0, length));
  in.remove_prefix(length);
  return true;
}

}  // namespace

std::string encode(const WorkerSettings& settings) {
  std::string out;
  for (const std::string* text : {&settings.handler, &settings.user, &settings.group,
                                  &settings.chroot, &settings.log_level, &settings.log_file}) {
    put<std::uint64_t>(out, text->size());
    out += *text;
  }
  put<std::int64_t>(out, settings.task_timeout.count());
  put<std::uint64_t>(out, settings.max_request);
  put<std::int64_t>(out, settings.pipe_start_timeout.count());
  put<std::int64_t>(out, settings.max_wait.count());
  put<std::uint8_t>(out, settings.sched_batch ? 1 : 0);
  return out;
}

std::optional<WorkerSettings> decode_worker_settings(std::string_view bytes) {
  WorkerSettings settings;
  for (std::string* text : {&settings.handler, &settings.user, &settings.group, &settings.chroot,
                            &settings.log_level, &settings.log_file}) {
    if (!take_text(bytes, *text)) return std::nullopt;
  }
  std::int64_t timeout_ms = 0, start_ms = 0, wait_ms = 0;
  std::uint8_t sched_batch = 0;
  if (!take(bytes, timeout_ms) || !take(bytes, settings.max_request) || !take(bytes, start_ms) ||
      !take(bytes, wait_ms) || !take(bytes, sched_batch) || !bytes.empty() || timeout_ms < 0 ||
      start_ms < 0 || wait_ms < 0 || sched_batch > 1) {
    return std::nullopt;
  }
  settings.sched_batch = sched_batch != 0;
  settings.task_timeout = std::chrono::milliseconds(timeout_ms);
  settings.pipe_start_timeout = std::chrono::milliseconds(start_ms);
  settings.max_wait = std::chrono::milliseconds(wait_ms);
  return settings;
}

}  // namespace tasq::taskpool
