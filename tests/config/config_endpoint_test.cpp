// tasq::config: listen and admin addresses: parsing, loopback, and their errors.

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "config_test_support.h"
#include "tasq/config/config.h"

namespace tasq::config {
namespace {

using testing_support::invoke;
using testing_support::one_problem_naming;

TEST(ConfigEndpoint, Ipv4) {
  auto endpoint = parse_endpoint("10.1.2.3:6380");
  ASSERT_TRUE(endpoint);
  EXPECT_EQ(endpoint->kind, Endpoint::Kind::tcp);
  EXPECT_EQ(endpoint->host, "10.1.2.3");
  EXPECT_EQ(endpoint->port, 6380);
  EXPECT_EQ(endpoint->text, "10.1.2.3:6380");
}

TEST(ConfigEndpoint, Ipv6InBrackets) {
  auto endpoint = parse_endpoint("[::1]:6380");
  ASSERT_TRUE(endpoint);
  EXPECT_EQ(endpoint->host, "::1");
  EXPECT_EQ(endpoint->port, 6380);
  EXPECT_EQ(endpoint->text, "[::1]:6380");
}

TEST(ConfigEndpoint, HostNameAndPortZero) {
  auto endpoint = parse_endpoint("localhost:0");
  ASSERT_TRUE(endpoint);
  EXPECT_EQ(endpoint->host, "localhost");
  EXPECT_EQ(endpoint->port, 0);
  EXPECT_TRUE(parse_endpoint("tasq-1.example.com:65535"));
}

TEST(ConfigEndpoint, UnixSocket) {
  auto endpoint = parse_endpoint("unix:/tmp/x.sock");
  ASSERT_TRUE(endpoint);
  EXPECT_EQ(endpoint->kind, Endpoint::Kind::unix_socket);
  EXPECT_EQ(endpoint->path, "/tmp/x.sock");
  EXPECT_EQ(endpoint->text, "unix:/tmp/x.sock");
}

TEST(ConfigEndpoint, BadAddressesSayWhy) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "empty address"},
      {"127.0.0.1", "missing port (use HOST:PORT)"},
      {"127.0.0.1:", "missing port"},
      {"[::1]", "missing port (use [IPv6]:PORT)"},
      {"[::1]:", "missing port"},
      {"[::1]6380", "expected ':' and a port after ']'"},
      {"[::1:6380", "missing ']' after the IPv6 address"},
      {"[nope]:1", "not an IPv6 address: nope"},
      {"::1:6380", "IPv6 addresses go in brackets, as in [::1]:6380"},
      {":6380", "missing host (use HOST:PORT)"},
      {"1.2.3.4:65536", "port must be a number from 0 to 65535"},
      {"1.2.3.4:-1", "port must be a number from 0 to 65535"},
      {"1.2.3.4:http", "port must be a number from 0 to 65535"},
      {"999.1.1.1:80", "not an IPv4 address: 999.1.1.1"},
      {"bad host:80", "not a host name: bad host"},
      {"unix:", "unix: needs a socket path"},
  };
  for (auto [text, reason] : cases) {
    std::string why;
    EXPECT_FALSE(parse_endpoint(text, &why)) << text;
    EXPECT_EQ(why, reason) << text;
  }
  std::string why;
  EXPECT_FALSE(parse_endpoint("unix:/" + std::string(200, 'x'), &why));
  EXPECT_EQ(why, "socket path is longer than 107 bytes");
}

TEST(ConfigEndpoint, BadListenOnTheCommandLine) {
  auto invocation = invoke({"--listen", "127.0.0.1"});
  ASSERT_EQ(invocation.errors.size(), 1u);
  EXPECT_EQ(invocation.errors[0], "listen: missing port (use HOST:PORT): '127.0.0.1'");
  auto port = invoke({"--listen", "127.0.0.1:70000"});
  ASSERT_EQ(port.errors.size(), 1u);
  EXPECT_EQ(port.errors[0], "listen: port must be a number from 0 to 65535: '127.0.0.1:70000'");
}

TEST(ConfigEndpoint, Loopback) {
  for (const char* text : {"127.0.0.1:1", "127.9.8.7:1", "[::1]:1", "localhost:1", "LocalHost:1",
                           "[::ffff:127.0.0.1]:1", "unix:/tmp/x.sock"}) {
    EXPECT_TRUE(parse_endpoint(text)->is_loopback()) << text;
  }
  for (const char* text : {"0.0.0.0:1", "10.0.0.1:1", "128.0.0.1:1", "[::]:1", "[::2]:1",
                           "[::ffff:10.0.0.1]:1", "example.com:1"}) {
    EXPECT_FALSE(parse_endpoint(text)->is_loopback()) << text;
  }
}

TEST(ConfigEndpoint, AdminNoneDisables) {
  auto invocation = invoke({"--admin", "none"});
  ASSERT_TRUE(invocation.errors.empty()) << invocation.errors[0];
  EXPECT_FALSE(invocation.config.admin.has_value());
}

TEST(ConfigEndpoint, AdminIsUdpOnAnAddress) {
  auto unix_socket = invoke({"--admin", "unix:/tmp/a.sock"});
  ASSERT_EQ(unix_socket.errors.size(), 1u);
  EXPECT_EQ(unix_socket.errors[0],
            "admin: the admin port is UDP: use HOST:PORT or none: 'unix:/tmp/a.sock'");
  auto name = invoke({"--admin", "example.com:6381"});
  EXPECT_TRUE(one_problem_naming(name.errors, "admin"));
  auto ipv6 = invoke({"--admin", "[::1]:6381"});
  EXPECT_TRUE(ipv6.errors.empty());
}

}  // namespace
}  // namespace tasq::config
