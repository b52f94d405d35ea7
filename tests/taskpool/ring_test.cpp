// The ring with real processes: consumers are forked children that map the
// master's region read-only and their own region read-write, take from their
// queue and answer through their completion rings, while this process plays
// the master (publish, take back, drain, abandon). Children are killed with
// SIGKILL at random moments; every task is accounted for. Regions a
// consumer scribbles on are caught, and the master's region cannot be made
// writable.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <deque>
#include <functional>
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

/// A consumer process: maps what a worker maps, takes, checks the payload,
/// echoes it back. Never returns; exits 0 when its stop flag is set, 3 when a
/// task was wrong.
[[noreturn]] void consume(int master_fd, int region_fd, std::uint32_t id, bool dawdle) {
  const SharedMemory memory = SharedMemory::attach(master_fd);
  const WorkerRegion own = WorkerRegion::attach(region_fd, memory.header());
  const shm::MasterBlock& block = memory.block(id);
  DispatchConsumer consumer(block, memory.queue(id), memory.layout().queue_slots, own.state());
  CompletionWriter writer(own.state(), block, own.ring(), own.ring_bytes(),
                          memory.layout().result_capacity);
  std::minstd_rand random(static_cast<unsigned>(::getpid()));
  while (block.stop.load(std::memory_order_acquire) == 0) {
    char* data = writer.try_reserve();
    if (data == nullptr) {
      ::sched_yield();
      continue;
    }
    auto task = consumer.try_take();
    if (!task) {
      ::sched_yield();
      continue;
    }
    const auto* record = reinterpret_cast<const shm::TaskRecord*>(memory.arena() + task->record);
    if (record->payload_len != size_of_task(record->id)) ::_exit(3);
    for (std::size_t i = 0; i < record->payload_len; ++i) {
      if (record->payload()[i] != pattern_byte(record->id, i)) ::_exit(3);
    }
    if (dawdle) {
      for (unsigned spin = random() % 20000; spin > 0; --spin) asm volatile("" ::: "memory");
    }
    std::memcpy(data, record->payload(), record->payload_len);
    writer.commit(0, record->id, task->position, static_cast<std::uint32_t>(record->payload_len),
                  0);
  }
  ::_exit(0);
}

/// This process as the master of `workers` forked consumers.
class RingMaster {
 public:
  RingMaster(std::uint32_t workers, std::size_t arena_bytes)
      : memory_(SharedMemory::create({.worker_count = workers,
                                      .arena_bytes = arena_bytes,
                                      .result_capacity = kResultCapacity,
                                      .settings = {}},
                                     ::getpid())),
        layout_(memory_.layout()),
        arena_(memory_.arena(), layout_.arena_bytes),
        readers_(workers),
        regions_(workers),
        pids_(workers, 0) {
    for (std::uint32_t w = 0; w < workers; ++w) {
      queues_.emplace_back(memory_.block(w), memory_.queue(w), layout_.queue_slots);
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

  /// Starts a consumer in slot `w` with a fresh region, as the pool does.
  void start_consumer(std::uint32_t w, bool dawdle) {
    regions_[w] = WorkerRegion::create(layout_);
    memory_.block(w).stop.store(0);
    queues_[w].reset(&regions_[w].state());
    readers_[w].reset(&regions_[w].state(), &memory_.block(w), regions_[w].ring(),
                      regions_[w].ring_bytes());
    const pid_t pid = fork_spinner();
    ASSERT_GE(pid, 0);
    if (pid == 0) consume(memory_.fd(), regions_[w].fd(), w, dawdle);
    regions_[w].close_fd();
    pids_[w] = pid;
  }

  /// Allocates task `id` and gives it to a consumer (or keeps it in the backlog).
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
    for (std::size_t i = 0; i < size; ++i) {
      reinterpret_cast<char*>(task + 1)[i] = pattern_byte(id, i);
    }
    tasks_.push_back({*offset, id});
    backlog_.push_back(static_cast<std::uint32_t>(tasks_.size() - 1));
    return true;
  }

  /// Hands the backlog out round robin, as far as the queues have room.
  void dispatch() {
    bool gave = true;
    while (!backlog_.empty() && gave) {
      gave = false;
      for (std::uint32_t w = 0; w < queues_.size() && !backlog_.empty(); ++w) {
        if (pids_[w] <= 0 || queues_[w].room() == 0) continue;
        const std::uint32_t handle = backlog_.front();
        backlog_.pop_front();
        queues_[w].publish(handle, tasks_[handle].offset);
        gave = true;
      }
    }
    for (std::uint32_t w = 0; w < queues_.size(); ++w) {
      if (pids_[w] > 0) queues_[w].flush();
    }
  }

  void observe(std::uint32_t w) {
    ASSERT_EQ(queues_[w].observe([&](std::uint32_t) { ++taken_; }), DispatchProducer::Result::ok);
  }

  /// Reads every consumer's completions; checks each result.
  void drain() {
    std::vector<std::uint64_t> heads;
    for (std::uint32_t w = 0; w < readers_.size(); ++w) heads.push_back(readers_[w].load_head());
    for (std::uint32_t w = 0; w < readers_.size(); ++w) {
      if (regions_[w].mapped()) observe(w);
    }
    for (std::uint32_t w = 0; w < readers_.size(); ++w) {
      if (regions_[w].mapped()) drain_worker(w, heads[w]);
    }
    dispatch();
  }

  void drain_worker(std::uint32_t w, std::uint64_t head) {
    auto result = readers_[w].drain(head, [&](const Completion& c) {
      const auto handle = queues_[w].complete(
          c.position, [&](std::uint32_t h) { return tasks_[h].id == c.task_id; });
      EXPECT_TRUE(handle) << "completion of a task the worker does not hold: " << c.task_id;
      if (!handle) return false;
      EXPECT_EQ(c.result.size(), size_of_task(c.task_id));
      for (std::size_t i = 0; i < c.result.size(); ++i) {
        if (c.result[i] != pattern_byte(c.task_id, i)) {
          ADD_FAILURE() << "task " << c.task_id << " byte " << i;
          return false;
        }
      }
      ++completions_[c.task_id];
      ++per_worker_[w];
      arena_.free(tasks_[*handle].offset);
      return true;
    });
    ASSERT_EQ(result, CompletionReader::Result::ok);
  }

  /// Takes back what consumer `w` has not taken; false while it is taking one.
  bool revoke(std::uint32_t w) {
    std::vector<std::uint32_t> returned;
    const auto result = queues_[w].revoke([&](std::uint32_t) { ++taken_; },
                                          [&](std::uint32_t h) { returned.push_back(h); });
    EXPECT_NE(result, DispatchProducer::Result::corrupt);
    if (result == DispatchProducer::Result::pending) {
      ++revokes_pending_;
      return false;
    }
    revoked_ += returned.size();
    for (auto it = returned.rbegin(); it != returned.rend(); ++it) backlog_.push_front(*it);
    return true;
  }

  /// Reaps a consumer if it died; requeues what it held. Returns whether it did.
  bool reap(std::uint32_t w, bool expect_clean) {
    int status = 0;
    if (pids_[w] <= 0 || ::waitpid(pids_[w], &status, WNOHANG) != pids_[w]) return false;
    pids_[w] = 0;
    if (expect_clean) {
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
    } else {
      EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 3) << "a consumer saw a bad task";
    }
    const std::uint64_t head = readers_[w].load_head();
    observe(w);
    drain_worker(w, head);
    std::vector<std::uint32_t> back;
    queues_[w].abandon(
        [&](std::uint32_t h) {
          ++requeued_;
          back.push_back(h);
        },
        [&](std::uint32_t h) { back.push_back(h); });
    for (auto it = back.rbegin(); it != back.rend(); ++it) backlog_.push_front(*it);
    readers_[w].reset(nullptr, nullptr, nullptr, 0);
    regions_[w] = WorkerRegion();
    return true;
  }

  void kill(std::uint32_t w) { ::kill(pids_[w], SIGKILL); }
  void stop(std::uint32_t w) { memory_.block(w).stop.store(1); }
  pid_t pid(std::uint32_t w) const { return pids_[w]; }

  SharedMemory memory_;
  Layout layout_;
  PayloadArena arena_;
  std::vector<DispatchProducer> queues_;
  std::vector<CompletionReader> readers_;
  std::vector<WorkerRegion> regions_;
  struct Task {
    std::uint64_t offset, id;
  };
  std::vector<Task> tasks_;
  std::deque<std::uint32_t> backlog_;
  std::vector<pid_t> pids_;
  std::map<std::uint64_t, int> completions_;
  std::map<std::uint32_t, std::uint64_t> per_worker_;
  std::size_t arena_full_ = 0, requeued_ = 0, taken_ = 0, revoked_ = 0, revokes_pending_ = 0;
};

/// Kills and reaps a forked child when a test gives up on it.
struct ChildGuard {
  pid_t pid;
  ~ChildGuard() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
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
// The bound is generous for sanitizer builds on a busy machine.
bool run_until(const std::function<bool()>& done, std::chrono::seconds limit = 100s) {
  return tasq::test::eventually(done, limit, 0ms);
}

// Asks the first `workers` consumers to stop and waits until each has gone,
// whether it stopped or had been killed.
bool stop_all(RingMaster& m, std::uint32_t workers) {
  for (std::uint32_t w = 0; w < workers; ++w) m.stop(w);
  return run_until([&] {
    bool all = true;
    for (std::uint32_t w = 0; w < workers; ++w) {
      m.reap(w, false);
      all = all && m.pid(w) == 0;
    }
    return all;
  });
}

TEST(Ring, ManyLapsSeveralConsumersEverySizeExactAccounting) {
  // Every size 0..4096 ~5 times. Which consumer takes a task depends on who
  // the scheduler runs, so rather than expect a fair share, tasks keep coming
  // until each queue has lapped three times; the cap only ends a hung run.
  constexpr std::uint64_t kTasks = 20'000, kCap = 400'000;
  RingMaster m(3, 1u << 20);
  for (std::uint32_t w = 0; w < 3; ++w) m.start_consumer(w, false);
  const std::uint64_t laps = 3u * m.layout_.queue_slots;
  const auto each_lapped = [&] {
    for (std::uint32_t w = 0; w < 3; ++w) {
      if (m.per_worker_[w] <= laps) return false;
    }
    return true;
  };
  std::uint64_t next = 1;
  ASSERT_TRUE(run_until([&] {
    const bool enough = next > kTasks && each_lapped();
    while (!enough && next <= kCap && m.add(next)) ++next;
    m.drain();
    return (enough || next > kCap) && m.completions_.size() == next - 1;
  }));
  const std::uint64_t tasks = next - 1;
  for (std::uint32_t w = 0; w < 3; ++w) m.stop(w);
  ASSERT_TRUE(run_until([&] {
    for (std::uint32_t w = 0; w < 3; ++w) m.reap(w, true);
    return m.pid(0) == 0 && m.pid(1) == 0 && m.pid(2) == 0;
  }));
  expect_each_once(m, tasks);
  EXPECT_EQ(m.requeued_, 0u);
  EXPECT_EQ(m.taken_, tasks);
  EXPECT_GT(m.arena_full_, 0u) << "the 1 MB arena never filled: backpressure untested";
  for (std::uint32_t w = 0; w < 3; ++w) {
    EXPECT_GT(m.per_worker_[w], laps) << "consumer " << w << " of " << tasks << " tasks";
  }
}

TEST(Ring, AFullQueueTakesNoMoreUntilATaskCompletes) {
  RingMaster m(1, 1u << 20);
  const std::uint32_t slots = m.layout_.queue_slots;
  // Ids whose payload is empty, so that the arena holds more than a queue.
  for (std::uint64_t n = 1; n <= slots + 1; ++n) ASSERT_TRUE(m.add(n * (kResultCapacity + 1)));
  m.dispatch();
  EXPECT_EQ(m.queues_[0].room(), 0u);
  EXPECT_EQ(m.backlog_.size(), slots + 1u) << "no consumer yet: nothing was given";
  m.start_consumer(0, false);
  m.dispatch();
  EXPECT_EQ(m.queues_[0].outstanding(), slots);
  EXPECT_EQ(m.backlog_.size(), 1u);
  ASSERT_TRUE(run_until([&] {
    m.drain();
    return m.completions_.size() == slots + 1;
  }));
  m.stop(0);
  ASSERT_TRUE(run_until([&] { return m.reap(0, true); }));
  expect_each_once(m, slots + 1);
}

TEST(Ring, CompletionRingWrapsWithEveryRecordSize) {
  constexpr std::uint64_t kRecords = 10'000;
  RingMaster m(1, 1u << 20);
  WorkerRegion region = WorkerRegion::create(m.layout_);
  const std::uint64_t ring_bytes = region.ring_bytes();
  ASSERT_LT(ring_bytes, 4 * (kResultCapacity + 64)) << "small ring, many wraps";
  CompletionReader reader;
  reader.reset(&region.state(), &m.memory_.block(0), region.ring(), ring_bytes);
  const pid_t pid = fork_spinner();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const WorkerRegion own = WorkerRegion::attach(region.fd(), m.memory_.header());
    CompletionWriter writer(own.state(), m.memory_.block(0), own.ring(), ring_bytes,
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
  ChildGuard guard{pid};
  std::uint64_t expected = 1;
  ASSERT_TRUE(run_until([&] {
    auto result = reader.drain(reader.load_head(), [&](const Completion& c) {
      EXPECT_EQ(c.task_id, expected);
      EXPECT_EQ(c.position, expected * 8);
      EXPECT_EQ(c.status, 1);
      EXPECT_EQ(c.result.size(), size_of_task(expected));
      for (std::size_t i = 0; i < c.result.size(); ++i) {
        if (c.result[i] != pattern_byte(expected, i)) return false;
      }
      const std::string reason = std::to_string(expected);
      EXPECT_EQ(c.reason, reason.substr(0, kResultCapacity - c.result.size()));
      ++expected;
      return true;
    });
    EXPECT_EQ(result, CompletionReader::Result::ok);
    return expected > kRecords || result != CompletionReader::Result::ok;
  }));
  EXPECT_EQ(expected, kRecords + 1);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  m.pids_[0] = 0;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  guard.pid = 0;
}

TEST(Ring, ConsumersKilledAtRandomLoseNothing) {
  // At least kTasks, and more until 20 kills have landed: how fast the
  // consumers drain 20,000 tasks, against the kills' clock, is the
  // scheduler's. The cap only ends a hung run.
  constexpr std::uint64_t kTasks = 20'000, kCap = 400'000, kMinKills = 20;
  constexpr std::uint32_t kWorkers = 3;
  RingMaster m(kWorkers, 1u << 20);
  for (std::uint32_t w = 0; w < kWorkers; ++w) m.start_consumer(w, true);
  std::minstd_rand random(12345);
  std::uint64_t next = 1;
  std::size_t kills = 0;
  auto last_kill = std::chrono::steady_clock::now();
  ASSERT_TRUE(run_until([&] {
    const bool enough = next > kTasks && kills >= kMinKills;
    while (!enough && next <= kCap && m.add(next)) ++next;
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
    return (enough || next > kCap) && m.completions_.size() == next - 1;
  }));
  const std::uint64_t tasks = next - 1;
  ASSERT_TRUE(stop_all(m, kWorkers));
  expect_each_once(m, tasks);
  EXPECT_GE(kills, kMinKills);
  // A consumer holds at most one task it has not completed: one re-run per kill, at most.
  EXPECT_LE(m.requeued_, kills);
}

// The master takes tasks back from consumers that are taking them, again and
// again, while some consumers are killed: no task is lost, none runs twice.
TEST(Ring, TakingBackRacesTakingAndKillsYetEveryTaskRunsOnce) {
  // At least kTasks, and more until something was taken back: whether a
  // consumer still had untaken tasks when the master came is the scheduler's.
  // The cap only ends a hung run.
  constexpr std::uint64_t kTasks = 20'000, kCap = 400'000;
  constexpr std::uint32_t kWorkers = 3;
  RingMaster m(kWorkers, 1u << 20);
  for (std::uint32_t w = 0; w < kWorkers; ++w) m.start_consumer(w, true);
  std::minstd_rand random(777);
  std::uint64_t next = 1;
  std::size_t kills = 0;
  std::vector<bool> revoking(kWorkers, false);
  ASSERT_TRUE(run_until([&] {
    const bool enough = next > kTasks && m.revoked_ > 0;
    while (!enough && next <= kCap && m.add(next)) ++next;
    m.drain();
    for (std::uint32_t w = 0; w < kWorkers; ++w) {
      if (m.reap(w, false)) {
        revoking[w] = false;
        m.start_consumer(w, true);
      } else if (m.pid(w) > 0 && (revoking[w] || random() % 4 == 0)) {
        revoking[w] = !m.revoke(w);
      }
    }
    if (kills < 30 && random() % 500 == 0) {
      const std::uint32_t victim = random() % kWorkers;
      if (m.pid(victim) > 0) {
        m.kill(victim);
        ++kills;
      }
    }
    m.dispatch();
    return (enough || next > kCap) && m.completions_.size() == next - 1;
  }));
  const std::uint64_t tasks = next - 1;
  ASSERT_TRUE(stop_all(m, kWorkers));
  expect_each_once(m, tasks);
  EXPECT_GT(m.revoked_, 0u) << "nothing was ever taken back";
  EXPECT_LE(m.requeued_, kills);
  std::printf(
      "[   INFO   ] %zu task(s) taken back, %zu time(s) the consumer was mid-take, %zu kills\n",
      m.revoked_, m.revokes_pending_, kills);
}

// What a lying worker writes into its own region is caught, whatever it is.
TEST(Ring, ImpossibleClaimsAndCompletionsAreCaught) {
  RingMaster m(1, 1u << 20);
  m.regions_[0] = WorkerRegion::create(m.layout_);
  m.queues_[0].reset(&m.regions_[0].state());
  m.readers_[0].reset(&m.regions_[0].state(), &m.memory_.block(0), m.regions_[0].ring(),
                      m.regions_[0].ring_bytes());
  // The "worker": a writable mapping of the same region, in this process.
  WorkerRegion liar = WorkerRegion::attach(::dup(m.regions_[0].fd()), m.memory_.header());
  shm::WorkerState& state = liar.state();
  auto& queue = m.queues_[0];
  for (std::uint64_t id = 1; id <= 4; ++id) {
    ASSERT_TRUE(m.add(id));
    queue.publish(static_cast<std::uint32_t>(id - 1), m.tasks_[id - 1].offset);
  }
  queue.flush();
  auto ignore = [](std::uint32_t) {};

  state.claim.store(shm::claim_word(5, false));  // past the 4 published
  EXPECT_EQ(queue.observe(ignore), DispatchProducer::Result::corrupt);
  state.claim.store(shm::claim_word(2, false));
  EXPECT_EQ(queue.observe(ignore), DispatchProducer::Result::ok);
  state.claim.store(shm::claim_word(1, false));  // moved back
  EXPECT_EQ(queue.observe(ignore), DispatchProducer::Result::corrupt);

  // Completions: out of order, not the task at that position, not taken.
  auto id_is = [&](std::uint64_t id) {
    return [&m, id](std::uint32_t h) { return m.tasks_[h].id == id; };
  };
  EXPECT_FALSE(queue.complete(1, id_is(2))) << "position 0 completes first";
  EXPECT_FALSE(queue.complete(0, id_is(99))) << "not the id published there";
  EXPECT_EQ(queue.complete(0, id_is(1)), std::optional<std::uint32_t>(0));
  EXPECT_EQ(queue.complete(1, id_is(2)), std::optional<std::uint32_t>(1));
  EXPECT_FALSE(queue.complete(2, id_is(3))) << "not taken";

  // Completion ring framing: a head past the ring, a wrap marker in the
  // wrong place, a record longer than what was published.
  CompletionWriter writer(state, m.memory_.block(0), liar.ring(), liar.ring_bytes(),
                          kResultCapacity);
  auto accept = [](const Completion&) { return true; };
  state.done_head.store(liar.ring_bytes() + 8);
  EXPECT_EQ(m.readers_[0].drain(m.readers_[0].load_head(), accept),
            CompletionReader::Result::corrupt);

  CompletionReader fresh;
  fresh.reset(&m.regions_[0].state(), &m.memory_.block(0), m.regions_[0].ring(),
              m.regions_[0].ring_bytes());
  const std::uint32_t wrap = 64 | shm::kWrapBit;
  std::memcpy(liar.ring(), &wrap, sizeof(wrap));
  state.done_head.store(64);
  EXPECT_EQ(fresh.drain(fresh.load_head(), accept), CompletionReader::Result::corrupt);

  CompletionReader third;
  third.reset(&m.regions_[0].state(), &m.memory_.block(0), m.regions_[0].ring(),
              m.regions_[0].ring_bytes());
  shm::CompletionHeader header{.bytes = 64,
                               .status = 0,
                               .task_id = 2,
                               .position = 1,
                               .result_len = 4000,
                               .reason_len = 0,
                               .started_ns = 0};
  std::memcpy(liar.ring(), &header, sizeof(header));
  EXPECT_EQ(third.drain(third.load_head(), accept), CompletionReader::Result::corrupt);
}

// What the master writes can be read by a worker, and by no means written.
TEST(Ring, TheMastersRegionCannotBeMadeWritable) {
  RingMaster m(1, 1u << 20);
  ASSERT_TRUE(m.memory_.sealed()) << "this kernel has no F_SEAL_FUTURE_WRITE";
  const int fd = ::dup(m.memory_.fd());
  const std::size_t bytes = m.layout_.total_bytes;
  void* writable = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  EXPECT_EQ(writable, MAP_FAILED) << "a shared writable mapping";
  if (writable != MAP_FAILED) ::munmap(writable, bytes);

  void* readable = ::mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd, 0);
  ASSERT_NE(readable, MAP_FAILED);
  EXPECT_NE(::mprotect(readable, bytes, PROT_READ | PROT_WRITE), 0) << "mprotect made it writable";
  EXPECT_EQ(::pwrite(fd, "x", 1, 0), -1) << "write(2) into it";
  const int mem = ::open("/proc/self/mem", O_RDWR);
  ASSERT_GE(mem, 0);
  EXPECT_EQ(::pwrite(mem, "x", 1, reinterpret_cast<off_t>(readable)), -1)
      << "/proc/self/mem wrote through the read-only mapping";
  ::close(mem);
  EXPECT_EQ(static_cast<const char*>(readable)[0], static_cast<char>(shm::kMagic & 0xff));
  ::munmap(readable, bytes);
  EXPECT_NE(::ftruncate(fd, 0), 0) << "shrunk under the master";
  ::close(fd);
}

}  // namespace
}  // namespace tasq::taskpool
