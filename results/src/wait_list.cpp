#include "tasq/results/wait_list.h"

namespace tasq::results {

std::list<WaitList::Waiter*>* WaitList::list_for(const StreamKey& key, bool create) {
  switch (key.kind) {
    case StreamKey::Kind::result: {
      if (create) return &by_result_[key.task_id];
      auto at = by_result_.find(key.task_id);
      return at == by_result_.end() ? nullptr : &at->second;
    }
    case StreamKey::Kind::finished:
      return &on_finished_;
    case StreamKey::Kind::dead:
      return &on_dead_;
    case StreamKey::Kind::none:
      break;
  }
  return &on_nothing_;
}

void WaitList::add(Waiter& waiter, const StreamKey& key) {
  std::list<Waiter*>& list = *list_for(key, true);
  list.push_back(&waiter);
  waiter.registrations_.push_back({key, std::prev(list.end())});
  all_.insert(&waiter);
}

void WaitList::remove(Waiter& waiter) {
  for (auto& registration : waiter.registrations_) {
    std::list<Waiter*>* list = list_for(registration.key, false);
    list->erase(registration.at);
    if (registration.key.kind == StreamKey::Kind::result && list->empty()) {
      by_result_.erase(registration.key.task_id);
    }
  }
  waiter.registrations_.clear();
  waiter.registrations_.shrink_to_fit();
  all_.erase(&waiter);
}

bool WaitList::contains(const Waiter* waiter) const { return all_.contains(waiter); }

void WaitList::waiting_on(std::span<const StreamKey> keys, std::vector<Waiter*>& out) {
  ++pass_;
  for (const StreamKey& key : keys) {
    if (key.kind == StreamKey::Kind::none) continue;
    const std::list<Waiter*>* list = list_for(key, false);
    if (list == nullptr) continue;
    for (Waiter* waiter : *list) {
      if (waiter->seen_ == pass_) continue;
      waiter->seen_ = pass_;
      out.push_back(waiter);
    }
  }
}

}  // namespace tasq::results
