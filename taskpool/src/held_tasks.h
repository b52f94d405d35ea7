#pragma once
// Internal: the tasks `dispatch_mode key` holds back in the master, one FIFO
// per queue, all threaded through one pool of nodes.
//
// A queue with a task in the ring or running keeps its later tasks here until
// that one ends for good. The nodes live in one vector that only grows to the
// most tasks ever held at once (bounded by what the ring holds) and is reused
// through a free list: holding a task allocates nothing once warm, and an idle
// queue costs two words in its table entry, not a container of its own.

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

namespace tasq::taskpool {

class HeldTasks {
 public:
  static constexpr std::uint64_t kNone = std::numeric_limits<std::uint64_t>::max();

  /// One queue's FIFO: indices of its first and last node.
  struct List {
    std::uint64_t head = kNone;
    std::uint64_t tail = kNone;
    [[nodiscard]] bool empty() const { return head == kNone; }
  };

  void push_back(List& list, std::uint64_t task) {
    std::uint64_t node = free_;
    if (node == kNone) {
      node = nodes_.size();
      nodes_.push_back({});
    } else {
      free_ = nodes_[node].next;
    }
    nodes_[node] = {.task = task, .next = kNone};
    if (list.empty()) {
      list.head = node;
    } else {
      nodes_[list.tail].next = node;
    }
    list.tail = node;
    ++size_;
  }

  /// Takes the oldest task off `list`, or nullopt when it is empty.
  std::optional<std::uint64_t> pop_front(List& list) {
    if (list.empty()) return std::nullopt;
    const std::uint64_t node = list.head;
    const std::uint64_t task = nodes_[node].task;
    list.head = nodes_[node].next;
    if (list.empty()) list.tail = kNone;
    nodes_[node].next = free_;
    free_ = node;
    --size_;
    return task;
  }

  /// Tasks held across every list.
  [[nodiscard]] std::uint64_t size() const { return size_; }

 private:
  struct Node {
    std::uint64_t task;  ///< the master's handle of the task
    std::uint64_t next;  ///< next node of the same list, or of the free list
  };
  std::vector<Node> nodes_;
  std::uint64_t free_ = kNone;
  std::uint64_t size_ = 0;
};

}  // namespace tasq::taskpool
