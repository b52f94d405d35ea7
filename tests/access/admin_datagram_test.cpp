// The admin datagram reader: every refusal, and the token as the first word.

#include "tasq/access/admin_datagram.h"

#include <gtest/gtest.h>

#include <string>

namespace tasq::access {
namespace {

AdminRequest read(std::string_view datagram, const Secret& token = Secret("t0k3n")) {
  return read_admin_datagram(datagram, token);
}

TEST(AdminDatagram, TokenThenCommand) {
  auto request = read("t0k3n ping");
  EXPECT_EQ(request.refusal, AdminRefusal::none);
  EXPECT_EQ(request.command, "ping");
  EXPECT_EQ(read("  t0k3n \t stats \r\n").command, "stats");
  EXPECT_EQ(read("t0k3n\tworkers").command, "workers");
  EXPECT_EQ(read("t0k3n retry 12 mail").command, "retry 12 mail");
}

TEST(AdminDatagram, WrongMissingOrPartialTokenIsAuth) {
  for (std::string_view datagram : {"ping", "shutdown", "wrong shutdown", "t0k3 shutdown",
                                    "t0k3nn shutdown", "T0K3N shutdown", "t0k3nshutdown"}) {
    EXPECT_EQ(read(datagram).refusal, AdminRefusal::auth) << datagram;
    EXPECT_TRUE(read(datagram).command.empty()) << datagram;
  }
}

TEST(AdminDatagram, TokenAloneIsAnEmptyCommand) {
  EXPECT_EQ(read("t0k3n").refusal, AdminRefusal::empty);
  EXPECT_EQ(read("t0k3n   \n").refusal, AdminRefusal::empty);
}

TEST(AdminDatagram, ShapeIsCheckedBeforeTheToken) {
  EXPECT_EQ(read("").refusal, AdminRefusal::empty);
  EXPECT_EQ(read(" \r\n").refusal, AdminRefusal::empty);
  EXPECT_EQ(read(std::string("t0k3n pi\0ng", 11)).refusal, AdminRefusal::not_text);
  EXPECT_EQ(read("t0k3n ping\nshutdown").refusal, AdminRefusal::not_text);
  EXPECT_EQ(read("t0k3n " + std::string(kMaxAdminDatagram - 6, 'a')).refusal, AdminRefusal::none);
  EXPECT_EQ(read("t0k3n " + std::string(kMaxAdminDatagram - 5, 'a')).refusal,
            AdminRefusal::too_long);
}

TEST(AdminDatagram, WithoutATokenTheWholeTextIsTheCommand) {
  const Secret none;
  EXPECT_EQ(read("ping", none).command, "ping");
  EXPECT_EQ(read("anything at all", none).command, "anything at all");
}

TEST(AdminDatagram, RepliesSayWhy) {
  EXPECT_EQ(refusal_reply(AdminRefusal::auth), "ERR auth");
  EXPECT_EQ(refusal_reply(AdminRefusal::empty), "ERR empty command");
  EXPECT_EQ(refusal_reply(AdminRefusal::too_long), "ERR datagram too long");
  EXPECT_EQ(refusal_reply(AdminRefusal::not_text), "ERR not a text command");
}

}  // namespace
}  // namespace tasq::access
