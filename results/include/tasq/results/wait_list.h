#pragma once
// Who waits on which stream: the clients blocked in XREAD BLOCK, listed per
// result id and on tasq:finished and tasq:dead. A task's end looks up just
// the lists its entries went to; nothing is polled, so waiting costs no CPU.
// Registration and removal are O(1) per key, so a client that disconnects
// frees its wait at once however many others wait on the same stream.

#include <cstddef>
#include <cstdint>
#include <list>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "tasq/results/stream_key.h"

namespace tasq::results {

class WaitList {
 public:
  /// One blocked client. It must be removed (WaitList::remove) before it is
  /// destroyed.
  class Waiter {
   public:
    Waiter() = default;
    Waiter(const Waiter&) = delete;
    Waiter& operator=(const Waiter&) = delete;

   protected:
    ~Waiter() = default;

   private:
    friend class WaitList;
    struct Registration {
      StreamKey key;
      std::list<Waiter*>::iterator at;
    };
    std::vector<Registration> registrations_;
    std::uint64_t seen_ = 0;  // the last waiting_on() pass that listed it
  };

  WaitList() = default;
  WaitList(const WaitList&) = delete;
  WaitList& operator=(const WaitList&) = delete;

  /// `waiter` waits on `key` (a key without a stream is never ready: the
  /// client waits for its timeout).
  void add(Waiter& waiter, const StreamKey& key);
  /// Takes `waiter` off every list; harmless when it is on none.
  void remove(Waiter& waiter);
  /// Whether `waiter` is listed; compares the address only, so it may be
  /// asked about a waiter that is gone.
  [[nodiscard]] bool contains(const Waiter* waiter) const;

  /// Appends to `out` every waiter on any of `keys`, once each, in the
  /// order they started waiting on the first key they are found on.
  void waiting_on(std::span<const StreamKey> keys, std::vector<Waiter*>& out);

  /// Clients blocked (INFO blocked_clients).
  [[nodiscard]] std::size_t size() const { return all_.size(); }

 private:
  std::list<Waiter*>* list_for(const StreamKey& key, bool create);

  std::unordered_map<std::uint64_t, std::list<Waiter*>> by_result_;
  std::list<Waiter*> on_finished_;
  std::list<Waiter*> on_dead_;
  std::list<Waiter*> on_nothing_;  // keys without a stream: only timeouts end these waits
  std::unordered_set<const Waiter*> all_;
  std::uint64_t pass_ = 0;
};

}  // namespace tasq::results
