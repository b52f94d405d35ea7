#include "tasq/results/wait_list.h"

#include <gtest/gtest.h>

#include <vector>

namespace tasq::results {
namespace {

struct Client : WaitList::Waiter {
  int n;
  explicit Client(int number) : n(number) {}
};

std::vector<int> numbers(const std::vector<WaitList::Waiter*>& waiters) {
  std::vector<int> out;
  for (auto* w : waiters) out.push_back(static_cast<Client*>(w)->n);
  return out;
}

TEST(WaitList, WakesOnlyThoseOnTheKeysThatMoved) {
  WaitList list;
  Client a(1), b(2), c(3);
  list.add(a, classify_key("tasq:result:7"));
  list.add(b, classify_key("tasq:result:8"));
  list.add(c, classify_key("tasq:finished"));
  list.add(c, classify_key("tasq:result:7"));
  EXPECT_EQ(list.size(), 3u);
  std::vector<WaitList::Waiter*> out;
  StreamKey keys[] = {classify_key("tasq:result:7"), classify_key("tasq:finished")};
  list.waiting_on(keys, out);
  EXPECT_EQ(numbers(out), (std::vector<int>{1, 3})) << "c once, though on both keys";
  list.remove(a);
  list.remove(b);
  list.remove(c);
  list.remove(c);
  EXPECT_EQ(list.size(), 0u);
  out.clear();
  list.waiting_on(keys, out);
  EXPECT_TRUE(out.empty());
}

TEST(WaitList, SameKeyTwiceListedOnce) {
  WaitList list;
  Client a(1);
  list.add(a, classify_key("tasq:dead"));
  list.add(a, classify_key("tasq:dead"));
  std::vector<WaitList::Waiter*> out;
  StreamKey keys[] = {classify_key("tasq:dead")};
  list.waiting_on(keys, out);
  EXPECT_EQ(out.size(), 1u);
  list.remove(a);
  EXPECT_FALSE(list.contains(&a));
}

TEST(WaitList, KeysWithoutAStreamWaitForTheirTimeout) {
  WaitList list;
  Client a(1);
  list.add(a, classify_key("some:key"));
  EXPECT_TRUE(list.contains(&a));
  std::vector<WaitList::Waiter*> out;
  StreamKey keys[] = {classify_key("some:key")};
  list.waiting_on(keys, out);
  EXPECT_TRUE(out.empty());
  list.remove(a);
  EXPECT_EQ(list.size(), 0u);
}

TEST(WaitList, ManyWaitersRemovedInAnyOrder) {
  WaitList list;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 10000; ++i) {
    clients.push_back(std::make_unique<Client>(i));
    list.add(*clients.back(), classify_key("tasq:finished"));
    list.add(*clients.back(), classify_key("tasq:result:" + std::to_string(i % 100 + 1)));
  }
  for (int i = 0; i < 10000; i += 2) list.remove(*clients[i]);
  EXPECT_EQ(list.size(), 5000u);
  std::vector<WaitList::Waiter*> out;
  StreamKey keys[] = {classify_key("tasq:result:2")};
  list.waiting_on(keys, out);
  EXPECT_EQ(out.size(), 100u) << "odd clients on result 2";
  for (int i = 1; i < 10000; i += 2) list.remove(*clients[i]);
  EXPECT_EQ(list.size(), 0u);
}

}  // namespace
}  // namespace tasq::results
