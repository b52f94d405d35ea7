#pragma once
// spdlog set-up for the master: stderr or `log_file`, at `log_level`, and
// the reopen that SIGHUP asks for after logrotate moved the file.

#include <string>
#include <string_view>

#include "tasq/config/config.h"

namespace tasq::server {

/// Installs the default logger; throws std::runtime_error naming log_file
/// when the file cannot be opened.
void setup_logging(const config::Config& config);
/// Opens log_file anew (same path); logs and keeps the old one on failure.
void reopen_log();

}  // namespace tasq::server
