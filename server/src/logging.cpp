#include "logging.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

namespace tasq::server {
namespace {

std::string g_log_file;
spdlog::level::level_enum g_level = spdlog::level::info;

spdlog::level::level_enum to_spdlog(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::debug: return spdlog::level::debug;
    case config::LogLevel::info: return spdlog::level::info;
    case config::LogLevel::warn: return spdlog::level::warn;
    case config::LogLevel::error: return spdlog::level::err;
  }
  return spdlog::level::info;
}

std::shared_ptr<spdlog::logger> make_logger() {
  std::shared_ptr<spdlog::logger> logger;
  if (g_log_file.empty()) {
    logger = std::make_shared<spdlog::logger>(
        "tasqd", std::make_shared<spdlog::sinks::stderr_sink_st>());
  } else {
    logger = std::make_shared<spdlog::logger>(
        "tasqd", std::make_shared<spdlog::sinks::basic_file_sink_st>(g_log_file, false));
  }
  logger->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [master %P] [%l] %v");
  logger->set_level(g_level);
  logger->flush_on(spdlog::level::info);
  return logger;
}

}  // namespace

void setup_logging(const config::Config& config) {
  g_log_file = config.log_file;
  g_level = to_spdlog(config.log_level);
  try {
    spdlog::set_default_logger(make_logger());
  } catch (const spdlog::spdlog_ex& e) {
    throw std::runtime_error("log_file: cannot open '" + g_log_file + "': " + e.what());
  }
}

void reopen_log() {
  if (g_log_file.empty()) return;
  try {
    spdlog::set_default_logger(make_logger());
  } catch (const spdlog::spdlog_ex& e) {
    spdlog::error("log_file: cannot reopen '{}': {}", g_log_file, e.what());
  }
}

}  // namespace tasq::server
