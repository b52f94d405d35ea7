#include "futex.h"

#include <linux/futex.h>
#include <spdlog/spdlog.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace tasq::taskpool {
namespace {

// The word is shared between processes, so no FUTEX_PRIVATE_FLAG.
long futex(const std::atomic<std::uint32_t>& word, int op, std::uint32_t value,
           const timespec* timeout) {
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
  return ::syscall(SYS_futex, reinterpret_cast<const std::uint32_t*>(&word), op, value, timeout,
                   nullptr, 0);
}

}  // namespace

void futex_wait(const std::atomic<std::uint32_t>& word, std::uint32_t expected,
                std::chrono::milliseconds timeout) {
  timespec ts{};
  const timespec* limit = nullptr;
  if (timeout.count() > 0) {
    ts.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    ts.tv_nsec = static_cast<long>(timeout.count() % 1000 * 1'000'000);
    limit = &ts;
  }
  if (futex(word, FUTEX_WAIT, expected, limit) != 0 && errno != EAGAIN && errno != EINTR &&
      errno != ETIMEDOUT) {
    spdlog::error("futex(FUTEX_WAIT): {}", std::strerror(errno));
  }
}

void futex_wake(std::atomic<std::uint32_t>& word, int count) {
  if (futex(word, FUTEX_WAKE, static_cast<std::uint32_t>(count), nullptr) < 0) {
    spdlog::error("futex(FUTEX_WAKE): {}", std::strerror(errno));
  }
}

}  // namespace tasq::taskpool
