#pragma once
// Group commit: the acknowledgements of journaled tasks wait for the end of
// the reactor turn, when one write(2) (and, under `journal_fsync always`, one
// fdatasync) covers every record the turn appended; then each waiting
// session sends its replies, or turns them into errors if the journal
// failed. Redis does the same before it answers clients in beforeSleep();
// journal_commit.cpp says how a turn is made to cover as many sockets.

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

namespace tasq::journal {
class Journal;
}

namespace tasq::server {

class Session;

class JournalCommit {
 public:
  JournalCommit(boost::asio::io_context& io, journal::Journal& journal);

  /// `session` holds replies that acknowledge journaled records: it is told
  /// (Session::on_journal_commit) once they are written (and synced).
  void hold(const std::shared_ptr<Session>& session);
  /// Records were appended that no client waits for (task ends, cron
  /// firings): write them in this turn too.
  void request();

 private:
  void commit();

  boost::asio::io_context& io_;
  journal::Journal& journal_;
  std::vector<std::weak_ptr<Session>> waiting_;
  std::vector<std::weak_ptr<Session>> releasing_;
  bool posted_ = false;
  bool second_round_ = false;  ///< the posted commit is on its second round
};

}  // namespace tasq::server
