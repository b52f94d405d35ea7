// dispatch_mode key end to end: a client pushes to several queues of a real
// tasqd; each queue's tasks run one at a time in push order, while different
// queues share the workers.

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "redis_client.h"
#include "tasqd_process.h"

namespace tasq::test {
namespace {

TEST(DispatchKey, EachQueueRunsInPushOrderOneAtATime) {
  const std::string dir = make_temp_dir("dispatch-key");
  const std::string events = dir + "/events";
  const std::string gate = dir + "/gate";
  // One echo is one O_APPEND write: the file's order is the order of starts
  // and ends. Tasks wait for the gate, so that what runs at once is decided
  // by tasqd alone, not by how fast this machine is today.
  const std::string line = "$TASQ_QUEUE $TASQ_TASK_ID $TASQ_ATTEMPT >> " + events;
  TasqdProcess server({"--dispatch_mode", "key", "--task_worker_num", "3", "--handler",
                       "exec:echo S " + line + "; while [ ! -e " + gate +
                           " ]; do sleep 0.05; done; echo E " + line});
  ASSERT_TRUE(server.started());
  RedisClient c(server.port());

  constexpr int kQueues = 4, kPerQueue = 8;
  for (int n = 0; n < kPerQueue; ++n) {
    for (int q = 0; q < kQueues; ++q) c.append({"LPUSH", "q" + std::to_string(q), "x"});
  }
  std::map<std::string, std::vector<long long>> pushed;
  for (int n = 0; n < kPerQueue; ++n) {
    for (int q = 0; q < kQueues; ++q) {
      auto reply = c.read_reply();
      ASSERT_EQ(reply.type, Reply::Type::integer) << reply.str;
      pushed["q" + std::to_string(q)].push_back(reply.integer);
    }
  }
  // Held tasks wait like any other: LLEN counts all but the running one.
  EXPECT_GE(c.command({"LLEN", "q0"}).integer, kPerQueue - 1);
  // Queues share the workers: each of the three takes a task of its own
  // queue, and all three run at once (a fourth queue has no worker left).
  const auto starts = [&] {
    const std::string text = read_file(events);
    return std::count(text.begin(), text.end(), 'S');
  };
  EXPECT_TRUE(eventually([&] { return starts() == 3; })) << read_file(events);
  write_file(gate, "");
  ASSERT_TRUE(eventually([&] { return info_field(c, "tasks_completed") == kQueues * kPerQueue; },
                         std::chrono::seconds(120)));
  EXPECT_EQ(info_field(c, "tasks_pending"), 0);

  std::ifstream in(events);
  std::string kind, queue;
  long long id = 0, attempt = 0;
  std::map<std::string, std::size_t> next;   // index in pushed of the next start
  std::map<std::string, long long> running;  // id running in that queue, 0 when none
  int at_once = 0, most_at_once = 0;
  std::size_t lines = 0;
  while (in >> kind >> queue >> id >> attempt) {
    ++lines;
    ASSERT_EQ(attempt, 1) << "nothing failed, nothing should run twice";
    if (kind == "S") {
      ASSERT_EQ(running[queue], 0)
          << queue << ": task " << id << " started while " << running[queue] << " ran";
      ASSERT_LT(next[queue], pushed[queue].size());
      ASSERT_EQ(pushed[queue][next[queue]], id) << queue << ": started out of push order";
      running[queue] = id;
      most_at_once = std::max(most_at_once, ++at_once);
    } else {
      ASSERT_EQ(running[queue], id) << queue << ": ended a task that was not running";
      running[queue] = 0;
      ++next[queue];
      --at_once;
    }
  }
  EXPECT_EQ(lines, std::size_t{2 * kQueues * kPerQueue});
  EXPECT_EQ(most_at_once, 3) << "queues should share the workers";
}

}  // namespace
}  // namespace tasq::test
