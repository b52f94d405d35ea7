// The steady-to-unix conversion that stamps task ends: it agrees with the
// wall clock, keeps the steady clock's differences, and follows the wall
// clock's offset after a refresh.

#include "unix_time.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

namespace tasq::server {
namespace {

using namespace std::chrono;

TEST(SteadyToUnixMs, AgreesWithTheWallClock) {
  SteadyToUnixMs to_unix_ms;
  const std::int64_t before = unix_ms_now();
  const std::int64_t converted = to_unix_ms(steady_clock::now());
  const std::int64_t after = unix_ms_now();
  // A second either side: only a stepped wall clock in between could miss.
  EXPECT_GE(converted, before - 1000);
  EXPECT_LE(converted, after + 1000);
}

TEST(SteadyToUnixMs, KeepsTheDistanceBetweenInstants) {
  SteadyToUnixMs to_unix_ms;
  const auto base = steady_clock::now();
  const std::int64_t at_base = to_unix_ms(base);
  EXPECT_EQ(to_unix_ms(base - seconds(5)), at_base - 5000) << "an older instant, no re-reading";
  // Past the re-reading interval: the offset is read again, which may move
  // it by the time between the two readings of the clocks, not more.
  const std::int64_t later = to_unix_ms(base + seconds(3));
  EXPECT_LE(std::llabs(later - (at_base + 3000)), 1);
}

}  // namespace
}  // namespace tasq::server
