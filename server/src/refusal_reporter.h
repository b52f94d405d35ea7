#pragma once
// Refusals of the admin token (a datagram on the admin port, a request to
// the metrics listener) logged at access::RefusalLog's rate: the first at
// once, then at most one line a second counting those held back, and a
// timer logs the count of a burst that stops. A flood of guesses costs the
// log one line a second.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <string>
#include <string_view>

#include "tasq/access/refusal_log.h"

namespace tasq::server {

class RefusalReporter {
 public:
  /// Lines read "`source`: refused N `what`, the last from PEER".
  RefusalReporter(boost::asio::io_context& io, std::string source, std::string what);
  RefusalReporter(const RefusalReporter&) = delete;
  RefusalReporter& operator=(const RefusalReporter&) = delete;

  /// One refusal from `peer` (an address, as logged).
  void refused(std::string_view peer);
  /// No more lines; those held back are dropped.
  void stop();

 private:
  void log(const access::RefusalLog::Line& line) const;
  void arm();

  std::string source_;
  std::string what_;
  access::RefusalLog log_;
  boost::asio::steady_timer timer_;
  bool armed_ = false;
  bool stopped_ = false;
};

}  // namespace tasq::server
