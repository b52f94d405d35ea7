#include "journal_commit.h"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "session.h"
#include "tasq/journal/journal.h"

namespace tasq::server {

JournalCommit::JournalCommit(boost::asio::io_context& io, journal::Journal& journal)
    : io_(io), journal_(journal) {}

void JournalCommit::hold(const std::shared_ptr<Session>& session) {
  waiting_.push_back(session);
  request();
}

// Posted, the commit runs after the handlers of sockets that were ready in
// the same turn, so one write and one fsync serve all of them.
void JournalCommit::request() {
  if (posted_) return;
  posted_ = true;
  boost::asio::post(io_, [this] { commit(); });
}

// Asio's scheduler queues a post behind the reactor, which then polls
// epoll without blocking (there is work queued), and the sockets it finds
// are queued behind the commit: left there, they would wait for a commit of
// their own, right after this one, while the sockets that became ready
// during this one's fsync wait for a third. So a commit that acknowledges
// goes round once more: it then covers what that poll found too, as Redis's
// beforeSleep() covers every socket its epoll_wait returned. A turn with
// only task ends (nobody waiting) writes at once.
void JournalCommit::commit() {
  if (!waiting_.empty() && !second_round_) {
    second_round_ = true;
    boost::asio::post(io_, [this] { commit(); });
    return;
  }
  second_round_ = false;
  posted_ = false;
  std::error_code ec;
  if (journal_.has_buffered()) ec = journal_.write();
  // Only acknowledgements wait for the disk. A turn that wrote nothing but
  // task ends (or cron firings) skips the fdatasync: the next one that
  // acknowledges covers them, and an end lost to a power cut only runs a
  // task again, which at-least-once allows.
  if (!ec && !waiting_.empty()) ec = journal_.sync();
  std::string failure;
  if (ec) {
    failure = "journal write failed: " + ec.message();
    spdlog::error("{}; the pushes of this turn are answered with an error", failure);
  }
  releasing_.swap(waiting_);
  for (auto& weak : releasing_) {
    if (auto session = weak.lock()) session->on_journal_commit(failure);
  }
  releasing_.clear();
}

}  // namespace tasq::server
