// The admin port's `dead [QUEUE|* [LIMIT]]` and `retry ID|all [QUEUE]`: the
// dead letters of tasq:dead as JSON, and sending them back to their queues.

#include <charconv>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "admin_port.h"
#include "server.h"
#include "task_results.h"

namespace tasq::server {
namespace {

using json = nlohmann::ordered_json;

// Texts in a listing are cut to this: the whole reply is one datagram.
constexpr std::size_t kShownBytes = 200;
constexpr std::size_t kDefaultLimit = 20;

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const auto start = text.find_first_not_of(" \t");
    if (start == std::string_view::npos) break;
    text.remove_prefix(start);
    const auto end = text.find_first_of(" \t");
    out.push_back(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end);
  }
  return out;
}

std::optional<std::uint64_t> number(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Payloads and errors are bytes: JSON gets them cut to kShownBytes, with
// invalid UTF-8 replaced, and the full length beside them.
json letter_json(const results::DeadLetter& letter) {
  return json{{"id", letter.task_id},
              {"queue", letter.queue},
              {"payload", letter.payload.substr(0, kShownBytes)},
              {"payload_bytes", letter.payload.size()},
              {"attempts", letter.attempts},
              {"error", letter.error.substr(0, kShownBytes)},
              {"ended_ms", letter.id.ms},
              {"entry_id", letter.id.text()}};
}

std::string dump(const json& doc) {
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

// Newest first, as many as fit one datagram within the limit asked for.
std::string dead_json(Server& server, std::string_view args, std::size_t max_bytes) {
  auto given = words(args);
  if (given.size() > 2) return "ERR usage: dead [QUEUE|* [LIMIT]]";
  const std::string_view queue = given.empty() || given[0] == "*" ? "" : given[0];
  std::size_t limit = kDefaultLimit;
  if (given.size() == 2) {
    auto n = number(given[1]);
    if (!n || *n == 0) return "ERR dead: LIMIT must be a positive integer";
    limit = static_cast<std::size_t>(*n);
  }
  const auto& letters = server.results().streams().dead().letters();
  json doc{{"total", letters.size()}, {"now_ms", TaskResults::now_ms()}, {"dead", json::array()}};
  std::size_t budget = dump(doc).size() + 32;  // room for "truncated"
  bool truncated = false;
  for (auto it = letters.rbegin(); it != letters.rend() && doc["dead"].size() < limit; ++it) {
    if (!queue.empty() && it->second.queue != queue) continue;
    json entry = letter_json(it->second);
    const std::size_t size = dump(entry).size() + 1;
    if (budget + size > max_bytes) {
      truncated = true;
      break;
    }
    budget += size;
    doc["dead"].push_back(std::move(entry));
  }
  if (truncated) doc["truncated"] = true;
  return dump(doc);
}

std::string retry_dead(Server& server, std::string_view args) {
  if (server.shutting_down()) return "ERR shutting down";
  auto given = words(args);
  if (given.empty() || given.size() > 2) return "ERR usage: retry ID|all [QUEUE]";
  const std::string_view queue = given.size() == 2 ? given[1] : "";
  std::vector<std::uint64_t> ids;
  if (given[0] == "all") {
    for (const auto& [entry_id, letter] : server.results().streams().dead().letters()) {
      if (queue.empty() || letter.queue == queue) ids.push_back(letter.task_id);
    }
  } else if (auto id = number(given[0]); id && *id > 0) {
    const results::DeadLetter* letter = server.results().streams().dead().find(*id);
    if (letter != nullptr && (queue.empty() || letter->queue == queue)) ids.push_back(*id);
  } else {
    return "ERR retry: ID must be a task id or all";
  }
  std::size_t sent = 0;
  for (std::uint64_t id : ids) {
    if (!server.retry_dead_letter(id)) break;  // the ring is full: the rest stay dead
    ++sent;
  }
  if (sent < ids.size()) {
    return "OK " + std::to_string(sent) +
           " (the ring is full: " + std::to_string(ids.size() - sent) + " left in tasq:dead)";
  }
  return "OK " + std::to_string(sent);
}

}  // namespace tasq::server
