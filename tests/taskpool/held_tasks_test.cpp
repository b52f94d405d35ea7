// HeldTasks: per-queue FIFOs over one node pool, nodes reused.

#include "held_tasks.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace tasq::taskpool {
namespace {

TEST(HeldTasks, ListsAreFifoAndIndependent) {
  HeldTasks held;
  HeldTasks::List a, b;
  EXPECT_FALSE(held.pop_front(a).has_value());
  for (std::uint64_t i = 0; i < 5; ++i) {
    held.push_back(a, 100 + i);
    held.push_back(b, 200 + i);
  }
  EXPECT_EQ(held.size(), 10u);
  for (std::uint64_t i = 0; i < 5; ++i) EXPECT_EQ(held.pop_front(a), 100 + i);
  EXPECT_TRUE(a.empty());
  EXPECT_FALSE(held.pop_front(a).has_value());
  held.push_back(a, 7);  // an emptied list starts over
  EXPECT_EQ(held.pop_front(b), 200u);
  EXPECT_EQ(held.pop_front(a), 7u);
  for (std::uint64_t i = 1; i < 5; ++i) EXPECT_EQ(held.pop_front(b), 200 + i);
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(held.size(), 0u);
}

TEST(HeldTasks, FreedNodesAreReused) {
  HeldTasks held;
  HeldTasks::List list;
  for (std::uint64_t round = 0; round < 1000; ++round) {
    held.push_back(list, round);
    held.push_back(list, round + 1);
    EXPECT_EQ(held.pop_front(list), round);
    EXPECT_EQ(held.pop_front(list), round + 1);
  }
  // Two nodes at most were ever needed; a leak would have grown to 2000.
  HeldTasks::List other;
  held.push_back(other, 1);
  held.push_back(other, 2);
  EXPECT_LE(std::max(other.head, other.tail), 1u);
}

}  // namespace
}  // namespace tasq::taskpool
