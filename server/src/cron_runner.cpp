#include "cron_runner.h"

#include <spdlog/spdlog.h>

#include <ctime>
#include <stdexcept>
#include <string_view>


namespace tasq::server {
namespace {

using schedule::Clock;

// The timer measures its wait when armed; a wall clock stepped meanwhile is
// noticed at the next wake, so waits are capped to notice it soon.
constexpr std::chrono::seconds kMaxWait{1};

std::vector<schedule::CronLine> parse_all(const std::vector<std::string>& texts) {
  std::vector<schedule::CronLine> lines;
  for (const auto& text : texts) {
    auto parsed = schedule::parse_cron_line(text);
    if (!parsed) throw std::runtime_error(parsed.error().message());
    lines.push_back(std::move(parsed.value()));
  }
  return lines;
}

std::string show_local(std::optional<Clock::time_point> when) {
  if (!when) return "never";
  std::time_t t = Clock::to_time_t(*when);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S %Z", &tm);
  return text;
}

}  // namespace

CronRunner::CronRunner(boost::asio::io_context& io, TaskIntake& intake,
                       const std::vector<std::string>& lines)
    : intake_(intake),
      table_(parse_all(lines), Clock::now()),
      timer_(io),
      is_pending_(lines.size(), false) {}

void CronRunner::start() {
  if (table_.entries().empty()) return;
  stopped_ = false;
  for (const auto& entry : table_.entries()) {
    spdlog::info("cron: '{}' first due {}", entry.line.text, show_local(entry.next));
  }
  arm();
}

void CronRunner::on_ring_space() {
  waiting_ = false;
  if (!stopped_ && !pending_.empty()) push_pending();
}

void CronRunner::stop() {
  stopped_ = true;
  timer_.cancel();
  if (!pending_.empty()) {
    spdlog::warn("cron: shutting down with {} firing(s) waiting for ring space; not pushed",
                 pending_.size());
  }
  pending_.clear();
}

void CronRunner::arm() {
  if (stopped_) return;
  auto wake = table_.next_wake();
  if (!wake) return;  // every line is past its last due time
  timer_.expires_at(std::min(*wake, Clock::now() + kMaxWait));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) on_timer();
  });
}

// A line due again while its previous firing still waits for ring space is
// folded into that firing, as a stall would be: one task, never a backlog.
void CronRunner::on_timer() {
  if (stopped_) return;
  table_.fire_due(Clock::now(), [this](const schedule::CronTable::Entry& entry, std::size_t i) {
    if (is_pending_[i]) {
      ++coalesced_;
      spdlog::debug("cron: '{}' due again while waiting for ring space", entry.line.text);
      return;
    }
    is_pending_[i] = true;
    pending_.push_back(i);
  });
  push_pending();
  arm();
}

// Oldest first; stops at the first that finds the ring full and waits in the
// intake's queue for on_ring_space.
void CronRunner::push_pending() {
  while (!pending_.empty() && !stopped_) {
    std::size_t i = pending_.front();
    const auto& line = table_.entries()[i].line;
    std::string_view payload = line.payload;
    std::uint64_t id = intake_.accept(line.queue, std::span(&payload, 1));
    if (id == 0) {
      spdlog::debug("cron: '{}' waits for ring space", line.text);
      if (!waiting_) intake_.wait_for_space(weak_from_this());
      waiting_ = true;
      return;
    }
    pending_.pop_front();
    is_pending_[i] = false;
    ++fired_;
    spdlog::debug("cron: '{}' fired task {} on queue {}", line.text, id, line.queue);
  }
}

}  // namespace tasq::server
