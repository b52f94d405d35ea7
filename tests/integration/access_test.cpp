// Who may do what over RESP, against a real tasqd: Redis's bounds before
// AUTH, a session giving back what one large command made it hold, and the
// inline reader treating a NUL byte as Redis's does.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include "raw_client.h"
#include "redis_client.h"
#include "tasqd_process.h"

namespace tasq::test {
namespace {

std::string multibulk(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& arg : args) out += "$" + std::to_string(arg.size()) + "\r\n" + arg + "\r\n";
  return out;
}

// Sends `request` and expects `reply` (a Redis protocol error) and the
// connection closed after it.
void expect_refused_and_closed(std::uint16_t port, const std::string& request,
                               const std::string& reply) {
  RawClient client(port);
  ASSERT_TRUE(client.connected());
  client.send(request);
  EXPECT_TRUE(client.wait_closed()) << "still open after: " << client.received();
  EXPECT_EQ(client.received(), reply);
}

TEST(Unauthenticated, MoreThanTenArgumentsIsRefusedAndClosed) {
  TasqdProcess server({"--requirepass", "pw"});
  expect_refused_and_closed(server.port(), "*11\r\n",
                            "-ERR Protocol error: unauthenticated multibulk length\r\n");
  // The claim alone is enough, as in Redis: nothing after it is read.
  expect_refused_and_closed(server.port(), "*700000\r\n" + std::string(64, '$'),
                            "-ERR Protocol error: unauthenticated multibulk length\r\n");
}

TEST(Unauthenticated, BulkOver16KiBIsRefusedAndClosed) {
  TasqdProcess server({"--requirepass", "pw"});
  expect_refused_and_closed(server.port(), "*2\r\n$4\r\nAUTH\r\n$16385\r\n",
                            "-ERR Protocol error: unauthenticated bulk length\r\n");
}

TEST(Unauthenticated, WithinTheBoundsTheClientJustGetsNoauth) {
  TasqdProcess server({"--requirepass", "pw"});
  RawClient client(server.port());
  client.send(multibulk({"LPUSH", "q", "1", "2", "3", "4", "5", "6", "7", "8"}) +
              multibulk({"LPUSH", "q", std::string(16384, 'p')}));
  const std::string noauth = "-NOAUTH Authentication required.\r\n";
  EXPECT_EQ(client.read(2 * noauth.size()), noauth + noauth);
  EXPECT_FALSE(client.wait_closed(std::chrono::milliseconds(200)));
}

TEST(Unauthenticated, AuthLiftsTheBounds) {
  TasqdProcess server({"--requirepass", "pw"});
  RawClient client(server.port());
  // In one write: the bounds are lifted from the command after AUTH on.
  client.send(multibulk({"AUTH", "pw"}) + multibulk({"LPUSH", "q", std::string(100000, 'p')}) +
              multibulk({"LPUSH", "q", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}));
  const std::string expected = "+OK\r\n:1\r\n:11\r\n";
  EXPECT_EQ(client.read(expected.size()), expected);
  // Without tasqd's password there are no such bounds at all.
  TasqdProcess open_server;
  RedisClient c(open_server.port());
  EXPECT_EQ(c.command({"LPUSH", "q", std::string(100000, 'p')}).type, Reply::Type::integer);
}

long long rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

// One command of 300,000 empty arguments makes a session hold a table of
// 300,000 views: each of 32 idle connections kept its table, some 150 MB
// in all, before the table was given back after the command.
TEST(Sessions, ALargeCommandsArgumentTableIsGivenBack) {
  // Under ASan, freed memory waits in a quarantine (256 MB) before it can be
  // used again, so the RSS would count tables long given back. tasqd
  // inherits this; other builds ignore it.
  const char* old_options = std::getenv("ASAN_OPTIONS");
  const std::string kept = old_options ? old_options : "";
  ::setenv("ASAN_OPTIONS", (kept + (kept.empty() ? "" : ":") + "quarantine_size_mb=0").c_str(), 1);
  TasqdProcess server({"--task_worker_num", "1"});
  if (old_options) {
    ::setenv("ASAN_OPTIONS", kept.c_str(), 1);
  } else {
    ::unsetenv("ASAN_OPTIONS");
  }
  constexpr int kConnections = 32;
  constexpr int kArgs = 300000;
  std::string request = "*" + std::to_string(kArgs) + "\r\n$4\r\nECHO\r\n";
  for (int i = 1; i < kArgs; ++i) request += "$0\r\n\r\n";
  const std::string reply = "-ERR wrong number of arguments for 'echo' command\r\n";
  {
    // One first, so the allocator's first growth is not counted.
    RawClient warm(server.port());
    warm.send(request);
    ASSERT_EQ(warm.read(reply.size(), std::chrono::seconds(60)), reply);
  }
  const long long before = rss_kib(server.pid());
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < kConnections; ++i) {
    idle.push_back(std::make_unique<RawClient>(server.port()));
    idle.back()->send(request);
    ASSERT_EQ(idle.back()->read(reply.size(), std::chrono::seconds(60)), reply) << i;
  }
  const long long grown = rss_kib(server.pid()) - before;
  EXPECT_LT(grown, 64 * 1024) << "KiB kept by " << kConnections << " idle connections";
  RedisClient c(server.port());
  EXPECT_EQ(c.command({"PING"}).str, "PONG");
}

// Redis reads an inline line's end with strchr(), which stops at a NUL: a
// line holding one never ends, and past the 64 KiB inline bound the client
// is refused and closed. These are the desync cases of Redis's own
// tests/unit/protocol.tcl: a NUL, then line after line of data.
TEST(Protocol, NulInAnInlineRequestDesyncsAsInRedis) {
  TasqdProcess server;
  const std::string line = std::string(1024, 'A') + "\n";
  for (std::string start : {std::string(1, '\0'), std::string("$\0", 2)}) {
    SCOPED_TRACE(start.size() == 1 ? "\\x00" : "$\\x00");
    RawClient client(server.port());
    ASSERT_TRUE(client.connected());
    // Just over 64 KiB, so that the server has read every byte when it
    // refuses (unread bytes would make its close a reset).
    std::string stream = start;
    for (int i = 0; i < 64; ++i) stream += line;
    client.send(stream);
    EXPECT_TRUE(client.wait_closed()) << client.received().substr(0, 200);
    EXPECT_EQ(client.received(), "-ERR Protocol error: too big inline request\r\n");
  }
  {
    // `*` then a NUL is a bad multibulk count at once.
    RawClient client(server.port());
    client.send(std::string("*\0", 2));
    EXPECT_TRUE(client.wait_closed());
    EXPECT_EQ(client.received(), "-ERR Protocol error: invalid multibulk length\r\n");
  }
  RedisClient c(server.port());
  EXPECT_EQ(c.command({"PING"}).str, "PONG") << "only those connections suffered";
}

// `listen unix:PATH` naming a file that is not a socket (a typo, the
// journal's path) stops tasqd and leaves the file alone; at exit tasqd
// removes its socket only while the path still is that socket.
TEST(UnixListener, NeverRemovesWhatIsNotItsSocket) {
  const std::string dir = make_temp_dir("unix-listener");
  const std::string path = dir + "/precious";
  std::ofstream(path) << "not a socket";
  auto [status, out] = run_command(std::string(TASQ_TASQD_PATH) + " --listen unix:" + path +
                                   " --admin none --journal none --task_worker_num 1 2>&1");
  EXPECT_NE(status, 0) << out;
  EXPECT_NE(out.find("is not a socket; not removing it"), std::string::npos) << out;
  std::ifstream kept(path);
  std::string content;
  std::getline(kept, content);
  EXPECT_EQ(content, "not a socket");

  const std::string socket_path = dir + "/tasq.sock";
  {
    TasqdProcess server({"--listen", "unix:" + socket_path, "--listen", "127.0.0.1:0"});
    ASSERT_TRUE(server.started());
    RedisClient c(socket_path);
    EXPECT_EQ(c.command({"PING"}).str, "PONG");
    // Something else takes the path while tasqd runs.
    std::filesystem::remove(socket_path);
    std::ofstream(socket_path) << "someone else's";
  }
  EXPECT_TRUE(std::filesystem::exists(socket_path)) << "removed a file that was not its socket";
  // A socket left by a crash is replaced at the next start.
  std::filesystem::remove(socket_path);
  {
    TasqdProcess first({"--listen", "unix:" + socket_path, "--listen", "127.0.0.1:0"});
    ASSERT_TRUE(first.started());
    first.signal(SIGKILL, true);
  }
  ASSERT_TRUE(std::filesystem::exists(socket_path));
  TasqdProcess second({"--listen", "unix:" + socket_path, "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(second.started()) << second.log();
  RedisClient c(socket_path);
  EXPECT_EQ(c.command({"PING"}).str, "PONG");
}

// CONFIG GET never shows requirepass or admin_token, to anyone.
TEST(ConfigGet, NeverShowsASecret) {
  const std::string runtime = make_temp_dir("config-get-runtime");
  ::chmod(runtime.c_str(), 0700);
  ::setenv("TASQ_RUNTIME_DIR", runtime.c_str(), 1);
  TasqdProcess server(
      {"--requirepass", "pw-secret", "--admin", "127.0.0.1:0", "--admin_token", "token-secret"});
  ASSERT_TRUE(server.started());
  RedisClient c(server.port());
  ASSERT_EQ(c.command({"AUTH", "pw-secret"}).str, "OK");
  for (const char* pattern : {"requirepass", "admin_token", "*", "*pass*", "admin*"}) {
    Reply reply = c.command({"CONFIG", "GET", pattern});
    ASSERT_EQ(reply.type, Reply::Type::array) << pattern;
    for (const auto& element : reply.elements) {
      EXPECT_EQ(element.str.find("secret"), std::string::npos) << pattern << ": " << element.str;
      EXPECT_NE(element.str, "requirepass") << pattern;
      EXPECT_NE(element.str, "admin_token") << pattern;
    }
  }
  EXPECT_TRUE(c.command({"CONFIG", "GET", "requirepass"}).elements.empty());
  EXPECT_GT(c.command({"CONFIG", "GET", "*"}).elements.size(), 40U) << "the rest are shown";
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode;
}

// unixsocketperm sets the mode of unix: listener sockets, as Redis's does,
// whatever the umask; unset, the umask decides.
TEST(UnixListener, SocketGetsUnixsocketperm) {
  const std::string dir = make_temp_dir("unixsocketperm");
  for (auto [perm, mode] : {std::pair{"600", 0600u}, std::pair{"0777", 0777u}}) {
    const std::string path = dir + "/tasq-" + perm + ".sock";
    TasqdProcess server(
        {"--listen", "unix:" + path, "--listen", "127.0.0.1:0", "--unixsocketperm", perm});
    ASSERT_TRUE(server.started()) << server.log();
    EXPECT_TRUE(S_ISSOCK(mode_of(path))) << path;
    EXPECT_EQ(mode_of(path) & 07777, mode) << perm;
    RedisClient c(path);
    Reply reply = c.command({"CONFIG", "GET", "unixsocketperm"});
    ASSERT_EQ(reply.elements.size(), 2U);
    EXPECT_EQ(reply.elements[1].str, std::string(perm).substr(perm[0] == '0' ? 1 : 0));
  }
}

}  // namespace
}  // namespace tasq::test
