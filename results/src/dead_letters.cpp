#include "tasq/results/dead_letters.h"

namespace tasq::results {

void DeadLetters::add(DeadLetter letter, std::vector<std::uint64_t>* dropped) {
  if (letter.id > last_id_) last_id_ = letter.id;
  if (max_ == 0) {
    if (dropped != nullptr) dropped->push_back(letter.task_id);
    return;
  }
  take(letter.task_id);
  by_task_[letter.task_id] = letter.id;
  const StreamId id = letter.id;
  letters_.insert_or_assign(id, std::move(letter));
  while (letters_.size() > max_) {
    auto oldest = letters_.begin();
    if (dropped != nullptr) dropped->push_back(oldest->second.task_id);
    by_task_.erase(oldest->second.task_id);
    letters_.erase(oldest);
  }
}

std::optional<DeadLetter> DeadLetters::take(std::uint64_t task_id) {
  auto at = by_task_.find(task_id);
  if (at == by_task_.end()) return std::nullopt;
  auto node = letters_.extract(at->second);
  by_task_.erase(at);
  return std::move(node.mapped());
}

const DeadLetter* DeadLetters::find(std::uint64_t task_id) const {
  auto at = by_task_.find(task_id);
  return at == by_task_.end() ? nullptr : &letters_.at(at->second);
}

}  // namespace tasq::results
