#include "tasqd_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <regex>

namespace tasq::test {
namespace {

bool has_arg(const std::vector<std::string>& args, const std::string& name) {
  return std::find(args.begin(), args.end(), name) != args.end();
}

}  // namespace

void expect_counted_once_a_second(const TasqdProcess& server, const std::regex& line,
                                  long long expected, std::chrono::steady_clock::time_point since) {
  long long lines = 0;
  long long total = 0;
  eventually([&] {
    const std::string log = server.log();
    lines = 0;
    total = 0;
    for (auto it = std::sregex_iterator(log.begin(), log.end(), line); it != std::sregex_iterator();
         ++it) {
      ++lines;
      total += std::stoll((*it)[1]);
    }
    return total == expected;
  });
  EXPECT_EQ(total, expected) << lines << " line(s):\n" << server.log();
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - since)
          .count();
  EXPECT_LE(lines, seconds + 2) << server.log();
  EXPECT_LT(lines, expected);
}

std::pair<int, std::string> run_command(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, ""};
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TasqdProcess::TasqdProcess(std::vector<std::string> args) {
  if (!has_arg(args, "--listen")) {
    args.insert(args.begin(), {"--listen", "127.0.0.1:0"});
  }
  if (!has_arg(args, "--admin")) args.insert(args.begin(), {"--admin", "none"});
  // Tests that run in parallel must not share the default ./tasq.journal
  // (the second would refuse to start); journal tests name their own.
  if (!has_arg(args, "--journal")) args.insert(args.begin(), {"--journal", "none"});
  if (!has_arg(args, "--task_worker_num")) args.insert(args.begin(), {"--task_worker_num", "2"});
  std::string stderr_path = make_temp_dir("tasqd") + "/stderr.log";
  log_path_ = stderr_path;
  // With log_file, the lines the launcher waits for go there.
  if (auto it = std::find(args.begin(), args.end(), "--log_file"); it != args.end() && it + 1 != args.end()) {
    log_path_ = *(it + 1);
  }

  std::vector<std::string> argv_storage{TASQ_TASQD_PATH};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);

  pid_ = ::fork();
  if (pid_ == 0) {
    std::FILE* log = std::fopen(stderr_path.c_str(), "w");
    if (log != nullptr) ::dup2(::fileno(log), STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  if (pid_ <= 0) {
    ADD_FAILURE() << "fork failed";
    return;
  }
  std::regex listening(R"(\[info\] listening on 127\.0\.0\.1:(\d+))");
  std::regex admin(R"(admin port listening on 127\.0\.0\.1:(\d+))");
  std::regex metrics(R"(metrics listening on 127\.0\.0\.1:(\d+))");
  bool ready = eventually([&] {
    auto text = read_file(log_path_);
    std::smatch match;
    // The master's own line: a worker's debug "ready: handler ..." (or any
    // "already") can come first, before the listening address is logged.
    if (text.find(" ready: pid ") == std::string::npos) return false;
    if (std::regex_search(text, match, listening)) port_ = static_cast<std::uint16_t>(std::stoi(match[1]));
    if (std::regex_search(text, match, admin)) admin_port_ = static_cast<std::uint16_t>(std::stoi(match[1]));
    if (std::regex_search(text, match, metrics)) {
      metrics_port_ = static_cast<std::uint16_t>(std::stoi(match[1]));
    }
    return true;
  });
  if (!ready) ADD_FAILURE() << "tasqd did not become ready; log:\n" << read_file(log_path_);
}

TasqdProcess::~TasqdProcess() {
  if (pid_ <= 0) return;
  if (::kill(pid_, 0) == 0) {
    ::kill(pid_, SIGTERM);
    if (wait_exit(std::chrono::seconds(15)) == -1) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
}

std::string TasqdProcess::log() const { return read_file(log_path_); }

bool TasqdProcess::wait_for_log(const std::string& text, std::chrono::milliseconds timeout) const {
  return eventually([&] { return log().find(text) != std::string::npos; }, timeout);
}

int TasqdProcess::signal(int signo, bool wait, std::chrono::milliseconds timeout) {
  ::kill(pid_, signo);
  return wait ? wait_exit(timeout) : 0;
}

int TasqdProcess::wait_exit(std::chrono::milliseconds timeout) {
  int status = -1;
  bool exited = eventually(
      [&] {
        pid_t r = ::waitpid(pid_, &status, WNOHANG);
        return r == pid_ || r < 0;
      },
      timeout);
  if (!exited) return -1;
  pid_ = -1;
  return status;
}

}  // namespace tasq::test
