#include "tasq/results/dead_letters.h"

#include <gtest/gtest.h>

namespace tasq::results {
namespace {

DeadLetter letter(std::uint64_t task, std::uint64_t ms) {
  return DeadLetter{
      .id = {ms, 0}, .task_id = task, .queue = "q", .payload = "p", .attempts = 3, .error = ""};
}

TEST(DeadLetters, KeepsTheLastMaxAndSaysWhichWent) {
  DeadLetters dead(2);
  std::vector<std::uint64_t> dropped;
  dead.add(letter(1, 10), &dropped);
  dead.add(letter(2, 11), &dropped);
  dead.add(letter(3, 12), &dropped);
  EXPECT_EQ(dropped, std::vector<std::uint64_t>{1});
  EXPECT_EQ(dead.letters().size(), 2u);
  EXPECT_FALSE(dead.find(1));
  EXPECT_EQ(dead.last_id(), (StreamId{12, 0}));
}

TEST(DeadLetters, TakeFromTheMiddle) {
  DeadLetters dead(10);
  for (std::uint64_t t = 1; t <= 3; ++t) dead.add(letter(t, 10 + t));
  auto taken = dead.take(2);
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->task_id, 2u);
  EXPECT_EQ(dead.letters().size(), 2u);
  EXPECT_FALSE(dead.take(2));
  EXPECT_EQ(dead.last_id(), (StreamId{13, 0})) << "the last id stays, as a stream's does";
}

TEST(DeadLetters, SameTaskAgainReplaces) {
  DeadLetters dead(10);
  dead.add(letter(1, 10));
  dead.add(letter(1, 20));
  ASSERT_EQ(dead.letters().size(), 1u);
  EXPECT_EQ(dead.find(1)->id, (StreamId{20, 0}));
}

TEST(DeadLetters, MaxZeroKeepsNone) {
  DeadLetters dead(0);
  std::vector<std::uint64_t> dropped;
  dead.add(letter(1, 10), &dropped);
  EXPECT_TRUE(dead.letters().empty());
  EXPECT_EQ(dropped, std::vector<std::uint64_t>{1});
}

}  // namespace
}  // namespace tasq::results
