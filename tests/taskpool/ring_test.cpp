// The ring with real processes: consumers are forked children that claim from
// the dispatch queue and answer through their completion rings, while this
// process plays the master (publish, sweep, drain, reclaim). Children are
// killed with SIGKILL at random moments; every task is accounted for.

#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "completion_ring.h"
#include "dispatch_queue.h"
#include "payload_arena.h"
#include "shared_memory.h"
#include "tasq/test/eventually.h"

namespace tasq::taskpool {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kResultCapacity = 4096;

char pattern_byte(std::uint64_t id, std::size_t i) {
  return static_cast<char>((id * 2654435761u + i * 31) >> 3);
}

std::size_t size_of_task(std::uint64_t id) { return id % (kResultCapacity + 1); }

/// fork() for a child that spins: it dies with this process, so a test that
/// fails or times out never leaves a consumer spinning on a core.
pid_t fork_spinner() {
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0 && (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent)) ::_exit(4);
  return pid;
}

/// A consumer process: claims, checks the payload, echoes it back. Never
/// returns; exits 0 when its stop flag is set, 3 when a payload was wrong.
[[noreturn]] void consume(const SharedMemory& memory, std::uint32_t id, bool dawdle) {
  shm::Header& header = memory.header();
  shm::WorkerBlock& block = memory.worker(id);
  DispatchConsumer consumer(memory.slots(), header.slot_count, header.slot_shift, header.claim_hint,
                            id);
  CompletionWriter writer(block, memory.completion_ring(id), header.ring_bytes,
                          header.result_capacity);
  std::minstd_rand random(static_cast<unsigned>(::getpid()));
  while (block.stop.load(std::memory_order_acquire) == 0) {
    char* data = writer.try_reserve();
    if (data == nullptr) {
      ::sched_yield();
      continue;
    }
    auto offset = consumer.try_claim();
    if (!offset) {
      ::sched_yield();
      continue;
    }
    const auto* task = reinterpret_cast<const shm::TaskRecord*>(memory.arena() + *offset);
    if (task->payload_len != size_of_task(task->id)) ::_exit(3);
    for (std::size_t i = 0; i < task->payload_len; ++i) {
      if (task->payload()[i] != pattern_byte(task->id, i)) ::_exit(3);
    }
    if (dawdle) {
      for (unsigned spin = random() % 20000; spin > 0; --spin) asm volatile("" ::: "memory");
    }
    std::memcpy(data, task->payload(), task->payload_len);
    writer.commit(0, task->id, *offset, static_cast<std::uint32_t>(task->payload_len), 0);
  }
  ::_exit(0);
}

/// This process as the master of a ring with `workers` forked consumers.
class RingMaster {
 public:
  RingMaster(std::uint32_t workers, std::size_t arena_bytes)
      : memory_(SharedMemory::create({.worker_count = workers,
                                      .arena_bytes = arena_bytes,
                                      .result_capacity = kResultCapacity,
                                      .settings = {}},
                                     ::getpid())),
        arena_(memory_.arena(), memory_.header().arena_bytes),
        producer_(memory_.slots(), memory_.header().slot_count, memory_.header().slot_shift),
        held_(workers),
        pids_(workers, 0) {
    for (std::uint32_t w = 0; w < workers; ++w) {
      readers_.emplace_back(memory_.worker(w), memory_.completion_ring(w),
                            memory_.header().ring_bytes);
    }
  }

  ~RingMaster() {
    for (pid_t pid : pids_) {
      if (pid > 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
      }
    }
  }

  void start_consumer(std::uint32_t w, bool dawdle) {
    memory_.worker(w).stop.store(0);
    const pid_t pid = fork_spinner();
    ASSERT_GE(pid, 0);
    if (pid == 0) consume(memory_, w, dawdle);
    pids_[w] = pid;
  }

  /// Allocates and publishes task `id` (or keeps it in the backlog).
  bool add(std::uint64_t id) {
    const std::size_t size = size_of_task(id);
    auto offset = arena_.allocate(sizeof(shm::TaskRecord) + size);
    if (!offset) {
      ++arena_full_;
      return false;
    }
    auto* task = reinterpret_cast<shm::TaskRecord*>(arena_.at(*offset));
    task->id = id;
    task->payload_len = size;
    task->queue_len = 0;
    task->attempt = 1;
    for (std::size_t i = 0; i < size; ++i)
      reinterpret_cast<char*>(task + 1)[i] = pattern_byte(id, i);
    backlog_.push_back(*offset);
    publish_backlog();
    return true;
  }

  void publish_backlog() {
    while (!backlog_.empty()) {
      if (!producer_.try_publish(backlog_.front())) {
        sweep();
        if (!producer_.try_publish(backlog_.front())) {
          ++queue_full_;
          return;
        }
      }
      backlog_.pop_front();
    }
  }

  void sweep() {
    producer_.sweep(
        [this](std::uint32_t w, std::uint64_t offset) { held_.at(w).push_back(offset); });
  }

  /// Sweeps, then reads every worker's completions; checks each result.
  void drain() {
    std::vector<std::uint64_t> heads;
    for (std::uint32_t w = 0; w < readers_.size(); ++w) {
      heads.push_back(memory_.worker(w).done_head.load(std::memory_order_acquire));
    }
    sweep();
    for (std::uint32_t w = 0; w < readers_.size(); ++w) drain_worker(w, heads[w]);
    publish_backlog();
  }

  void drain_worker(std::uint32_t w, std::uint64_t head) {
    auto result = readers_[w].drain(head, [&](const Completion& c) {
      auto& held = held_[w];
      if (held.empty() || held.front() != c.record) {
        producer_.reclaim(w, [&](std::uint32_t, std::uint64_t offset) { held.push_back(offset); });
      }
      auto it = std::find(held.begin(), held.end(), c.record);
      ASSERT_NE(it, held.end()) << "completion of a task the worker does not hold";
      held.erase(it);
      const auto* task = reinterpret_cast<const shm::TaskRecord*>(arena_.at(c.record));
      ASSERT_EQ(task->id, c.task_id);
      ASSERT_EQ(c.result.size(), size_of_task(c.task_id));
      for (std::size_t i = 0; i < c.result.size(); ++i) {
        ASSERT_EQ(c.result[i], pattern_byte(c.task_id, i)) << "task " << c.task_id;
      }
      ++completions_[c.task_id];
      ++per_worker_[w];
      arena_.free(c.record);
    });
    ASSERT_EQ(result, CompletionReader::Result::ok);
  }

  /// Reaps a consumer if it died; requeues what it held. Returns whether it did.
  bool reap(std::uint32_t w, bool expect_clean) {
    int status = 0;
    if (pids_[w] <= 0 || ::waitpid(pids_[w], &status, WNOHANG) != pids_[w]) return false;
    pids_[w] = 0;
    if (expect_clean) {
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
    } else {
      EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 3) << "a consumer saw a bad payload";
    }
    drain_worker(w, memory_.worker(w).done_head.load(std::memory_order_acquire));
    sweep();
    producer_.reclaim(w, [&](std::uint32_t, std::uint64_t offset) { held_[w].push_back(offset); });
    for (std::uint64_t offset : held_[w]) {
      ++requeued_;
      backlog_.push_front(offset);
    }
    held_[w].clear();
    publish_backlog();
    return true;
  }

  void kill(std::uint32_t w) { ::kill(pids_[w], SIGKILL); }
  void stop(std::uint32_t w) { memory_.worker(w).stop.store(1); }
  pid_t pid(std::uint32_t w) const { return pids_[w]; }

  SharedMemory memory_;
  PayloadArena arena_;
  DispatchProducer producer_;
  std::vector<CompletionReader> readers_;
  std::vector<std::deque<std::uint64_t>> held_;
  std::deque<std::uint64_t> backlog_;
  std::vector<pid_t> pids_;
  std::map<std::uint64_t, int> completions_;
  std::map<std::uint32_t, std::uint64_t> per_worker_;
  std::size_t arena_full_ = 0, queue_full_ = 0, requeued_ = 0;
};

void expect_each_once(const RingMaster& m, std::uint64_t tasks) {
  ASSERT_EQ(m.completions_.size(), tasks);
  for (const auto& [id, count] : m.completions_) {
    ASSERT_EQ(count, 1) << "task " << id << " completed " << count << " times";
  }
  std::uint64_t sum = 0;
  for (const auto& [w, n] : m.per_worker_) sum += n;
  EXPECT_EQ(sum, tasks);
  EXPECT_EQ(m.arena_.used(), 0u);
}

// Spins: each call of `done` does the master's work (publishing, draining).
bool run_until(const std::function<bool()>& done) {
  return tasq::test::eventually(done, 60s, 0ms);
}

TEST(Ring, ManyLapsSeveralConsumersEverySizeExactAccounting) {
  constexpr std::uint64_t kTasks = 30'000;  // ~15 laps of 2048 slots, every size 0..4096 ~7 times
  RingMaster m(3, 1u << 20);
  for (std::uint32_t w = 0; w < 3; ++w) m.start_consumer(w, false);
  std::uint64_t next = 1;
  ASSERT_TRUE(run_until([&] {
    while (next <= kTasks && m.add(next)) ++next;
    m.drain();
    return next > kTasks && m.completions_.size() == kTasks;
  }));
  for (std::uint32_t w = 0; w < 3; ++w) m.stop(w);
  ASSERT_TRUE(run_until([&] {
    for (std::uint32_t w = 0; w < 3; ++w) m.reap(w, true);
    return m.pid(0) == 0 && m.pid(1) == 0 && m.pid(2) == 0;
  }));
  expect_each_once(m, kTasks);
  EXPECT_EQ(m.requeued_, 0u);
  EXPECT_GT(m.arena_full_, 0u) << "the 1 MB arena never filled: backpressure untested";
  EXPECT_GT(m.producer_.head(), 10u * m.memory_.header().slot_count);
}

TEST(Ring, FullDispatchQueueRefusesUntilAClaimIsSwept) {
  RingMaster m(1, 1u << 20);
  const std::uint32_t slots = m.memory_.header().slot_count;
  for (std::uint32_t i = 0; i < slots; ++i) ASSERT_TRUE(m.producer_.try_publish(64u * i));
  EXPECT_FALSE(m.producer_.try_publish(0)) << "published over a waiting task";

  // A consumer in another process claims exactly one task and stops.
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    shm::Header& h = m.memory_.header();
    DispatchConsumer consumer(m.memory_.slots(), h.slot_count, h.slot_shift, h.claim_hint, 0);
    ::_exit(consumer.try_claim() == std::optional<std::uint64_t>(0) ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  m.pids_[0] = 0;
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  EXPECT_FALSE(m.producer_.try_publish(1)) << "the claimed slot is not free before the sweep";
  std::vector<std::pair<std::uint32_t, std::uint64_t>> swept;
  m.producer_.sweep([&](std::uint32_t w, std::uint64_t offset) { swept.emplace_back(w, offset); });
  ASSERT_EQ(swept.size(), 1u);
  EXPECT_EQ(swept[0], std::make_pair(0u, std::uint64_t{0}));
  EXPECT_TRUE(m.producer_.try_publish(1)) << "the swept slot takes the next lap's task";
  EXPECT_FALSE(m.producer_.try_publish(2));
  EXPECT_EQ(m.producer_.unswept(), slots);
}

TEST(Ring, CompletionRingWrapsWithEveryRecordSize) {
  constexpr std::uint64_t kRecords = 20'000;
  RingMaster m(1, 1u << 20);
  const std::uint64_t ring_bytes = m.memory_.header().ring_bytes;
  ASSERT_LT(ring_bytes, 4 * (kResultCapacity + 64)) << "small ring, many wraps";
  const pid_t pid = fork_spinner();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    CompletionWriter writer(m.memory_.worker(0), m.memory_.completion_ring(0), ring_bytes,
                            kResultCapacity);
    for (std::uint64_t id = 1; id <= kRecords; ++id) {
      char* data = nullptr;
      while ((data = writer.try_reserve()) == nullptr) ::sched_yield();
      const std::size_t size = size_of_task(id);
      for (std::size_t i = 0; i < size; ++i) data[i] = pattern_byte(id, i);
      // The reason follows the result: here, the id as text.
      const std::string reason = std::to_string(id);
      std::memcpy(data + size, reason.data(), std::min(reason.size(), kResultCapacity - size));
      writer.commit(1, id, id * 8, static_cast<std::uint32_t>(size),
                    static_cast<std::uint32_t>(std::min(reason.size(), kResultCapacity - size)));
    }
    ::_exit(0);
  }
  m.pids_[0] = pid;  // killed by ~RingMaster if an assertion below returns early
  std::uint64_t expected = 1;
  ASSERT_TRUE(run_until([&] {
    const std::uint64_t head = m.memory_.worker(0).done_head.load(std::memory_order_acquire);
    auto result = m.readers_[0].drain(head, [&](const Completion& c) {
      ASSERT_EQ(c.task_id, expected);
      ASSERT_EQ(c.record, expected * 8);
      ASSERT_EQ(c.status, 1);
      ASSERT_EQ(c.result.size(), size_of_task(expected));
      for (std::size_t i = 0; i < c.result.size(); ++i) {
        ASSERT_EQ(c.result[i], pattern_byte(expected, i));
      }
      const std::string reason = std::to_string(expected);
      EXPECT_EQ(c.reason, reason.substr(0, kResultCapacity - c.result.size()));
      ++expected;
    });
    EXPECT_EQ(result, CompletionReader::Result::ok);
    return expected > kRecords;
  }));
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  m.pids_[0] = 0;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(Ring, ConsumersKilledAtRandomLoseNothing) {
  constexpr std::uint64_t kTasks = 20'000;
  constexpr std::uint32_t kWorkers = 3;
  RingMaster m(kWorkers, 1u << 20);
  for (std::uint32_t w = 0; w < kWorkers; ++w) m.start_consumer(w, true);
  std::minstd_rand random(12345);
  std::uint64_t next = 1;
  std::size_t kills = 0;
  auto last_kill = std::chrono::steady_clock::now();
  ASSERT_TRUE(run_until([&] {
    while (next <= kTasks && m.add(next)) ++next;
    m.drain();
    for (std::uint32_t w = 0; w < kWorkers; ++w) {
      if (m.reap(w, false)) m.start_consumer(w, true);
    }
    const auto now = std::chrono::steady_clock::now();
    if (kills < 60 && now - last_kill > std::chrono::microseconds(500 + random() % 3000)) {
      const std::uint32_t victim = random() % kWorkers;
      if (m.pid(victim) > 0) {
        m.kill(victim);
        ++kills;
        last_kill = now;
      }
    }
    return next > kTasks && m.completions_.size() == kTasks;
  }));
  for (std::uint32_t w = 0; w < kWorkers; ++w) m.stop(w);
  ASSERT_TRUE(run_until([&] {
    bool all = true;
    for (std::uint32_t w = 0; w < kWorkers; ++w) {
      m.reap(w, false);
      all = all && m.pid(w) == 0;
    }
    return all;
  }));
  expect_each_once(m, kTasks);
  EXPECT_GE(kills, 20u);
  // A consumer holds at most one task it has not completed: one re-run per kill, at most.
  EXPECT_LE(m.requeued_, kills);
}

}  // namespace
}  // namespace tasq::taskpool
