// Refused admin datagrams are logged at most once a second, and the lines
// count every refusal: checked on a made-up clock, so no real time passes.

#include "tasq/access/refusal_log.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace tasq::access {
namespace {

using Clock = RefusalLog::Clock;
using std::chrono::milliseconds;

struct Logged {
  Clock::time_point at;
  std::uint64_t count;
};

TEST(RefusalLog, FirstAtOnceThenOneCountedLineASecond) {
  RefusalLog log;
  const Clock::time_point t0{std::chrono::hours(1)};
  std::vector<Logged> lines;
  auto take = [&](std::optional<RefusalLog::Line> line, Clock::time_point at) {
    if (line) lines.push_back({at, line->count});
  };
  // 5000 refusals over 2.5 s, one every 0.5 ms, with the timer run whenever due.
  std::uint64_t refused = 0;
  for (int i = 0; i < 5000; ++i) {
    const Clock::time_point now = t0 + std::chrono::microseconds(500 * i);
    if (log.next_due() <= now) take(log.due(now), now);
    take(log.refused("127.0.0.1:" + std::to_string(i), now), now);
    ++refused;
  }
  // The burst stopped: the timer logs what is left when its second is over.
  const Clock::time_point due = log.next_due();
  ASSERT_NE(due, Clock::time_point::max());
  EXPECT_FALSE(log.due(due - milliseconds(1)).has_value());
  take(log.due(due), due);
  EXPECT_EQ(log.next_due(), Clock::time_point::max());

  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front().at, t0) << "the first refusal is logged at once";
  EXPECT_EQ(lines.front().count, 1U);
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    total += lines[i].count;
    if (i > 0) {
      EXPECT_GE(lines[i].at - lines[i - 1].at, RefusalLog::kInterval) << "line " << i;
    }
  }
  EXPECT_EQ(total, refused) << "every refusal is counted in some line";
  EXPECT_LE(lines.size(), 4U);
}

TEST(RefusalLog, NamesTheLastSender) {
  RefusalLog log;
  const Clock::time_point t0{std::chrono::hours(1)};
  EXPECT_EQ(log.refused("a", t0)->last_from, "a");
  EXPECT_FALSE(log.refused("b", t0 + milliseconds(10)).has_value());
  EXPECT_FALSE(log.refused("c", t0 + milliseconds(20)).has_value());
  auto line = log.due(t0 + std::chrono::seconds(1));
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->count, 2U);
  EXPECT_EQ(line->last_from, "c");
  // Quiet for a while: the next refusal is logged at once again.
  auto later = log.refused("d", t0 + std::chrono::seconds(5));
  ASSERT_TRUE(later.has_value());
  EXPECT_EQ(later->count, 1U);
}

}  // namespace
}  // namespace tasq::access
