#include "accept_pause.h"

#include <spdlog/spdlog.h>

namespace tasq::server {

void AcceptPause::after(const boost::system::error_code& ec, std::string_view where,
                        std::function<void()> resume) {
  spdlog::warn("accept on {}: {}", where, ec.message());
  timer_.expires_after(kPause);
  timer_.async_wait([resume = std::move(resume)](const boost::system::error_code& wait_ec) {
    if (!wait_ec) resume();
  });
}

}  // namespace tasq::server
