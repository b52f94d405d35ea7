#include "refusal_reporter.h"

#include <spdlog/spdlog.h>

namespace tasq::server {

RefusalReporter::RefusalReporter(boost::asio::io_context& io, std::string source,
                                 std::string what)
    : source_(std::move(source)), what_(std::move(what)), timer_(io) {}

void RefusalReporter::refused(std::string_view peer) {
  if (stopped_) return;
  if (auto line = log_.refused(peer, access::RefusalLog::Clock::now())) log(*line);
  arm();
}

void RefusalReporter::stop() {
  stopped_ = true;
  timer_.cancel();
}

void RefusalReporter::log(const access::RefusalLog::Line& line) const {
  spdlog::warn("{}: refused {} {}, the last from {}", source_, line.count, what_, line.last_from);
}

// The refusals held back by the once-a-second bound are logged when the
// second is over, even if no further refusal comes.
void RefusalReporter::arm() {
  if (armed_ || stopped_) return;
  const auto due = log_.next_due();
  if (due == access::RefusalLog::Clock::time_point::max()) return;
  armed_ = true;
  timer_.expires_at(due);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    // Aborted: stop() ran, or the reporter is being destroyed; touch nothing.
    if (ec) return;
    armed_ = false;
    if (auto line = log_.due(access::RefusalLog::Clock::now())) log(*line);
    arm();
  });
}

}  // namespace tasq::server
