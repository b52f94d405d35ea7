// Every command of the RESP surface and its errors, through hiredis against
// a real tasqd, byte for byte where Redis's wording is the contract.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "raw_client.h"
#include "redis_client.h"
#include "tasqd_process.h"

namespace tasq::test {
namespace {

using Type = Reply::Type;

class Commands : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new TasqdProcess(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static TasqdProcess* server_;
};
TasqdProcess* Commands::server_ = nullptr;

TEST_F(Commands, PingEchoAndQuit) {
  RedisClient c(server_->port());
  ASSERT_TRUE(c.connected()) << c.error();
  auto pong = c.command({"PING"});
  EXPECT_EQ(pong.type, Type::status);
  EXPECT_EQ(pong.str, "PONG");
  auto msg = c.command({"ping", "hello world"});
  EXPECT_EQ(msg.type, Type::string);
  EXPECT_EQ(msg.str, "hello world");
  std::string binary("a\r\nb\0c", 6);
  auto echo = c.command({"ECHO", binary});
  EXPECT_EQ(echo.str, binary);
  auto quit = c.command({"QUIT"});
  EXPECT_EQ(quit.str, "OK");
  auto after = c.command({"PING"});
  EXPECT_EQ(after.type, Type::other) << "the connection should be closed after QUIT";
}

TEST_F(Commands, UnknownCommandAndArity) {
  RedisClient c(server_->port());
  auto unknown = c.command({"FOO", "a", "b"});
  EXPECT_EQ(unknown.str, "ERR unknown command 'FOO', with args beginning with: 'a' 'b' ");
  auto bare = c.command({"nosuch"});
  EXPECT_EQ(bare.str, "ERR unknown command 'nosuch', with args beginning with: ");
  EXPECT_EQ(c.command({"LPUSH", "q"}).str, "ERR wrong number of arguments for 'lpush' command");
  EXPECT_EQ(c.command({"ECHO"}).str, "ERR wrong number of arguments for 'echo' command");
  EXPECT_EQ(c.command({"LLEN"}).str, "ERR wrong number of arguments for 'llen' command");
  EXPECT_EQ(c.command({"PING", "a", "b"}).str, "ERR wrong number of arguments for 'ping' command");
  // The connection survives command errors.
  EXPECT_EQ(c.command({"PING"}).str, "PONG");
}

TEST_F(Commands, PushReturnsIncreasingIds) {
  RedisClient c(server_->port());
  auto first = c.command({"LPUSH", "ids", "a"});
  ASSERT_EQ(first.type, Type::integer) << first.str;
  EXPECT_GT(first.integer, 0);
  auto second = c.command({"RPUSH", "ids", "b", "c", "d"});
  ASSERT_EQ(second.type, Type::integer);
  EXPECT_EQ(second.integer, first.integer + 3) << "one id per payload, the last one returned";
  auto llen = c.command({"LLEN", "no-such-queue"});
  EXPECT_EQ(llen.type, Type::integer);
  EXPECT_EQ(llen.integer, 0);
}

TEST_F(Commands, PipelinedRepliesPastTheOutputBoundAllArrive) {
  // 300 INFOs in one read make more replies than the session's 256 KiB
  // output bound: the ones past it must run once the output drains, with
  // no further request from the client.
  RawClient raw(server_->port());
  std::string batch;
  for (int i = 0; i < 300; ++i) batch += "INFO\r\n";
  ASSERT_TRUE(raw.send(batch));
  std::size_t replies = 0;
  // Up to a minute of 100 ms reads: a sanitizer build on a loaded machine
  // makes 300 INFOs slow, and the loop ends as soon as they are all in.
  for (int attempt = 0; attempt < 600 && replies < 300; ++attempt) {
    raw.read(std::size_t{1} << 30, std::chrono::milliseconds(100));
    replies = 0;
    for (auto at = raw.received().find("# Server"); at != std::string::npos;
         at = raw.received().find("# Server", at + 1)) {
      ++replies;
    }
  }
  EXPECT_EQ(replies, 300u) << raw.received().size() << " bytes received";
}

TEST_F(Commands, SelectOnlyZero) {
  RedisClient c(server_->port());
  EXPECT_EQ(c.command({"SELECT", "0"}).str, "OK");
  EXPECT_EQ(c.command({"SELECT", "1"}).str, "ERR DB index is out of range");
  EXPECT_EQ(c.command({"SELECT", "x"}).str, "ERR value is not an integer or out of range");
}

TEST_F(Commands, ClientNameIdAndInfo) {
  RedisClient c(server_->port());
  EXPECT_EQ(c.command({"CLIENT", "GETNAME"}).type, Type::nil);
  EXPECT_EQ(c.command({"CLIENT", "SETNAME", "worker-7"}).str, "OK");
  EXPECT_EQ(c.command({"CLIENT", "GETNAME"}).str, "worker-7");
  EXPECT_EQ(c.command({"CLIENT", "SETNAME", "has space"}).str,
            "ERR Client names cannot contain spaces, newlines or special characters.");
  auto id = c.command({"CLIENT", "ID"});
  ASSERT_EQ(id.type, Type::integer);
  EXPECT_GT(id.integer, 0);
  RedisClient other(server_->port());
  EXPECT_NE(other.command({"CLIENT", "ID"}).integer, id.integer);
  EXPECT_EQ(c.command({"CLIENT", "SETINFO", "lib-name", "hiredis"}).str, "OK");
  EXPECT_EQ(c.command({"CLIENT", "SETINFO", "lib-ver", "1.1.0"}).str, "OK");
  auto info = c.command({"CLIENT", "INFO"});
  EXPECT_NE(info.str.find("name=worker-7"), std::string::npos) << info.str;
  EXPECT_NE(info.str.find("lib-name=hiredis"), std::string::npos) << info.str;
  EXPECT_EQ(c.command({"CLIENT", "NOPE"}).str, "ERR unknown subcommand 'NOPE'. Try CLIENT HELP.");
}

TEST_F(Commands, HelloTwoAndThree) {
  RedisClient c(server_->port());
  auto hello = c.command({"HELLO", "2", "SETNAME", "h"});
  ASSERT_EQ(hello.type, Type::array);
  ASSERT_EQ(hello.elements.size(), 14u);
  EXPECT_EQ(hello.elements[0].str, "server");
  EXPECT_EQ(hello.elements[4].str, "proto");
  EXPECT_EQ(hello.elements[5].integer, 2);
  EXPECT_EQ(c.command({"CLIENT", "GETNAME"}).str, "h");
  EXPECT_EQ(c.command({"HELLO", "4"}).str, "NOPROTO unsupported protocol version");
  // hiredis 0.14 reads no RESP3: check the bytes.
  RawClient raw(server_->port());
  raw.send("HELLO 3\r\n");
  auto map = raw.read(20);
  EXPECT_EQ(map.rfind("%7\r\n$6\r\nserver\r\n$4\r\ntasq\r\n", 0), 0u) << map;
  raw.read(1000, std::chrono::milliseconds(200));
  raw.send("CLIENT GETNAME\r\n");
  EXPECT_EQ(raw.read(3), "_\r\n") << "RESP3 null";
}

TEST_F(Commands, CommandIntrospection) {
  RedisClient c(server_->port());
  auto count = c.command({"COMMAND", "COUNT"});
  ASSERT_EQ(count.type, Type::integer);
  auto all = c.command({"COMMAND"});
  ASSERT_EQ(all.type, Type::array);
  EXPECT_EQ(static_cast<long long>(all.elements.size()), count.integer);
  auto info = c.command({"COMMAND", "INFO", "lpush", "nosuch"});
  ASSERT_EQ(info.elements.size(), 2u);
  EXPECT_EQ(info.elements[0].elements[0].str, "lpush");
  EXPECT_EQ(info.elements[0].elements[1].integer, -3);
  EXPECT_EQ(info.elements[1].type, Type::nil);
  auto docs = c.command({"COMMAND", "DOCS", "llen"});
  ASSERT_EQ(docs.type, Type::array);
  ASSERT_EQ(docs.elements.size(), 2u);
  EXPECT_EQ(docs.elements[0].str, "llen");
}

TEST_F(Commands, ConfigGet) {
  RedisClient c(server_->port());
  auto one = c.command({"CONFIG", "GET", "task_retry"});
  ASSERT_EQ(one.elements.size(), 2u);
  EXPECT_EQ(one.elements[1].str, "3");
  auto glob = c.command({"CONFIG", "GET", "tcp_keep*"});
  EXPECT_EQ(glob.elements.size(), 6u);
  EXPECT_TRUE(c.command({"CONFIG", "GET", "admin_token"}).elements.empty()) << "a secret";
  auto probes = c.command({"CONFIG", "GET", "save", "appendonly"});
  ASSERT_EQ(probes.elements.size(), 4u);
  EXPECT_EQ(probes.elements[3].str, "no");
  EXPECT_EQ(c.command({"CONFIG", "SET", "x", "y"}).type, Type::error);
  EXPECT_EQ(c.command({"CONFIG", "GET"}).str,
            "ERR wrong number of arguments for 'config|get' command");
}

TEST_F(Commands, InfoHasTheContractFields) {
  RedisClient c(server_->port());
  auto info = c.command({"INFO"});
  ASSERT_EQ(info.type, Type::string);
  for (const char* field :
       {"# Server", "tasq_version:", "process_id:", "tcp_port:", "uptime_in_seconds:",
        "# Clients", "connected_clients:", "# Stats", "total_connections_received:",
        "total_commands_processed:", "rejected_connections:", "# Tasks", "tasks_enqueued:",
        "tasks_completed:", "tasks_failed:", "tasks_retried:", "tasks_dead:", "tasks_pending:",
        "tasks_in_flight:", "# Workers", "task_worker_num:2", "workers_alive:", "worker_restarts:",
        "worker0:pid=", "worker1:pid=", "# Memory", "ring_size:", "ring_used:",
        "used_memory_rss:"}) {
    EXPECT_NE(info.str.find(field), std::string::npos) << field << " missing from\n" << info.str;
  }
  EXPECT_NE(info.str.find("tcp_port:" + std::to_string(server_->port())), std::string::npos);
  auto tasks = c.command({"INFO", "tasks"});
  EXPECT_NE(tasks.str.find("# Tasks"), std::string::npos);
  EXPECT_EQ(tasks.str.find("# Server"), std::string::npos);
}

TEST(Auth, RequirePass) {
  TasqdProcess server({"--requirepass", "s3cret"});
  RedisClient c(server.port());
  EXPECT_EQ(c.command({"LPUSH", "q", "x"}).str, "NOAUTH Authentication required.");
  EXPECT_EQ(c.command({"PING"}).str, "NOAUTH Authentication required.");
  EXPECT_EQ(c.command({"AUTH", "wrong"}).str,
            "WRONGPASS invalid username-password pair or user is disabled.");
  EXPECT_EQ(c.command({"AUTH", "someone", "s3cret"}).str,
            "WRONGPASS invalid username-password pair or user is disabled.");
  EXPECT_EQ(c.command({"AUTH", "s3cret"}).str, "OK");
  EXPECT_EQ(c.command({"LPUSH", "q", "x"}).type, Type::integer);
  RedisClient d(server.port());
  EXPECT_EQ(d.command({"AUTH", "default", "s3cret"}).str, "OK");
  RedisClient e(server.port());
  auto hello = e.command({"HELLO", "2", "AUTH", "default", "s3cret"});
  EXPECT_EQ(hello.type, Type::array);
  EXPECT_EQ(e.command({"PING"}).str, "PONG");
}

TEST(Auth, WithoutPassword) {
  TasqdProcess server;
  RedisClient c(server.port());
  auto reply = c.command({"AUTH", "x"});
  EXPECT_EQ(reply.type, Type::error);
  EXPECT_NE(reply.str.find("without any password configured"), std::string::npos);
}

TEST(Listeners, Ipv6UnixAndSeveralPorts) {
  auto dir = make_temp_dir("listen");
  auto sock = dir + "/tasq.sock";
  TasqdProcess server({"--listen", "127.0.0.1:0", "--listen", "[::1]:0", "--listen", "unix:" + sock});
  RedisClient unix_client(sock);
  ASSERT_TRUE(unix_client.connected()) << unix_client.error();
  EXPECT_EQ(unix_client.command({"PING"}).str, "PONG");
  auto id = unix_client.command({"LPUSH", "q", "over unix"});
  EXPECT_EQ(id.type, Type::integer);
  EXPECT_TRUE(server.wait_for_log("listening on [::1]")) << server.log();
}

TEST(Pipeline, RepliesInOrder) {
  TasqdProcess server;
  RedisClient c(server.port());
  constexpr int kCount = 2000;
  for (int i = 0; i < kCount; ++i) {
    if (i % 2 == 0) {
      c.append({"LPUSH", "pipe", "task-" + std::to_string(i)});
    } else {
      c.append({"ECHO", "e" + std::to_string(i)});
    }
  }
  long long last_id = 0;
  for (int i = 0; i < kCount; ++i) {
    auto reply = c.read_reply();
    if (i % 2 == 0) {
      ASSERT_EQ(reply.type, Type::integer) << i << ": " << reply.str;
      EXPECT_GT(reply.integer, last_id);
      last_id = reply.integer;
    } else {
      ASSERT_EQ(reply.str, "e" + std::to_string(i));
    }
  }
}

}  // namespace
}  // namespace tasq::test
