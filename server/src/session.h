#pragma once
// One client connection: read into the RESP parser, dispatch each complete
// command, gather the replies of a batch and write them with one call.
// Lives on the reactor thread only; owned by the SessionRegistry.

#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client_state.h"
#include "command_table.h"
#include "task_intake.h"
#include "task_results.h"
#include "tasq/resp/parser.h"

namespace tasq::server {

class Server;

class Session : public SpaceWaiter, public std::enable_shared_from_this<Session> {
 public:
  using Socket = boost::asio::generic::stream_protocol::socket;
  using Clock = std::chrono::steady_clock;

  Session(Server& server, Socket socket, std::uint64_t id, std::string peer);

  void start();
  /// Closes the connection now, dropping unsent output.
  void stop();
  /// Stops reading; closes once every reply already produced is written. A
  /// session parked on a push closes at once: the push cannot be taken.
  void close_after_output();

  /// The ring may have room again for a parked push.
  void on_ring_space() override;

  /// The journal wrote (and synced) the records this session's held replies
  /// acknowledge; `failure` is empty, or the error that replaces them.
  void on_journal_commit(const std::string& failure);

  [[nodiscard]] ClientState& client() { return client_; }
  [[nodiscard]] const ClientState& client() const { return client_; }
  [[nodiscard]] Clock::time_point last_activity() const { return last_activity_; }
  [[nodiscard]] bool stopped() const { return stopped_; }
  /// True while the client waits in XREAD BLOCK (not idle for the heartbeat).
  [[nodiscard]] bool blocked() const { return blocked_ != nullptr; }

  /// The registry's handle on this session in its activity list.
  std::list<std::shared_ptr<Session>>::iterator registry_pos;
  bool registered = false;

 private:
  void do_read();
  void on_read(const boost::system::error_code& ec, std::size_t bytes);
  void process();
  /// Runs the complete commands the parser holds; true when it stopped
  /// because the output is over its bound (more may be runnable later).
  bool run_buffered();
  void protocol_error(resp::ParseStatus status);
  void flush();
  void on_write(const boost::system::error_code& ec, std::size_t bytes);
  void park();
  /// Runs one command; remembers its reply when it acknowledges journal records.
  Disposition run_command(resp::ReplyWriter& reply);
  void on_park_timeout(const boost::system::error_code& ec);
  [[nodiscard]] bool output_over_limit() const;

  // session_block.cpp: a client waiting in XREAD BLOCK.
  class Wait;
  void enter_block(BlockRequest request);
  /// An entry may have come for the blocked XREAD: answer it if it yields.
  void on_stream_ready();
  void on_block_timeout();
  void leave_block();
  /// After the blocked XREAD's answer: write it, then run what the client
  /// sent meanwhile (in a later handler, not inside the task end's).
  void resume_after_block();
  /// While blocked, nothing is read into the parser unless the client sends
  /// something: the socket is only watched, so that a disconnect frees the
  /// wait at once and an idle waiter holds no read buffer.
  void watch_while_blocked();
  void on_readable_while_blocked(const boost::system::error_code& ec);

  Server& server_;
  TaskIntake& intake_;
  Socket socket_;
  ClientState client_;
  resp::Parser parser_;
  std::vector<std::string_view> args_;
  std::string out_;      // replies gathered while a write is in flight
  std::string writing_;  // the buffer of the write in flight
  Clock::time_point last_activity_;
  std::unique_ptr<boost::asio::steady_timer> park_timer_;
  std::optional<BlockRequest> block_request_;  ///< from the last command run
  std::unique_ptr<BlockedRead> blocked_;        ///< while waiting in XREAD BLOCK
  /// Replies in out_ ([begin, end) offsets) that acknowledge journal records
  /// not yet committed; nothing is written to the socket while there are any.
  std::vector<std::pair<std::size_t, std::size_t>> held_acks_;
  bool awaiting_commit_ = false;
  bool reading_ = false;
  bool writing_busy_ = false;
  bool parked_ = false;
  bool closing_ = false;
  bool stopped_ = false;
};

}  // namespace tasq::server
