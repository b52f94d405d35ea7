// Each reply type, byte for byte, in RESP2 and in RESP3.

#include "tasq/resp/reply_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace tasq::resp {
namespace {

template <typename Write>
std::string written(int protocol, Write write) {
  std::string out;
  ReplyWriter writer(out, protocol);
  write(writer);
  return out;
}

TEST(ReplyWriter, SameInBothProtocols) {
  for (int protocol : {2, 3}) {
    EXPECT_EQ(written(protocol, [](auto& w) { w.simple("OK"); }), "+OK\r\n");
    EXPECT_EQ(written(protocol, [](auto& w) { w.error("ERR unknown command 'X'"); }),
              "-ERR unknown command 'X'\r\n");
    EXPECT_EQ(written(protocol, [](auto& w) { w.integer(0); }), ":0\r\n");
    EXPECT_EQ(written(protocol, [](auto& w) { w.integer(42); }), ":42\r\n");
    EXPECT_EQ(
        written(protocol, [](auto& w) { w.integer(std::numeric_limits<std::int64_t>::min()); }),
        ":-9223372036854775808\r\n");
    EXPECT_EQ(written(protocol, [](auto& w) { w.bulk("hello"); }), "$5\r\nhello\r\n");
    EXPECT_EQ(written(protocol, [](auto& w) { w.bulk(""); }), "$0\r\n\r\n");
    EXPECT_EQ(written(protocol, [](auto& w) { w.bulk(std::string_view("a\r\n\0b", 5)); }),
              std::string("$5\r\na\r\n\0b\r\n", 11));
    EXPECT_EQ(written(protocol, [](auto& w) { w.array(0); }), "*0\r\n");
    EXPECT_EQ(written(protocol, [](auto& w) { w.array(3); }), "*3\r\n");
  }
}

TEST(ReplyWriter, LinesCannotBeBrokenByTheirText) {
  EXPECT_EQ(written(2, [](auto& w) { w.simple("a\r\nb\nc"); }), "+a  b c\r\n");
  EXPECT_EQ(written(3, [](auto& w) { w.error("ERR x\r\n+OK"); }), "-ERR x  +OK\r\n");
}

TEST(ReplyWriter, NullsByProtocol) {
  EXPECT_EQ(written(2, [](auto& w) { w.null(); }), "$-1\r\n");
  EXPECT_EQ(written(2, [](auto& w) { w.null_array(); }), "*-1\r\n");
  EXPECT_EQ(written(3, [](auto& w) { w.null(); }), "_\r\n");
  EXPECT_EQ(written(3, [](auto& w) { w.null_array(); }), "_\r\n");
}

TEST(ReplyWriter, MapsAndSetsByProtocol) {
  EXPECT_EQ(written(2, [](auto& w) { w.map(2); }), "*4\r\n");
  EXPECT_EQ(written(3, [](auto& w) { w.map(2); }), "%2\r\n");
  EXPECT_EQ(written(2, [](auto& w) { w.set(3); }), "*3\r\n");
  EXPECT_EQ(written(3, [](auto& w) { w.set(3); }), "~3\r\n");
  EXPECT_EQ(written(3, [](auto& w) { w.map(0); }), "%0\r\n");
}

TEST(ReplyWriter, BooleansByProtocol) {
  EXPECT_EQ(written(2, [](auto& w) { w.boolean(true); }), ":1\r\n");
  EXPECT_EQ(written(2, [](auto& w) { w.boolean(false); }), ":0\r\n");
  EXPECT_EQ(written(3, [](auto& w) { w.boolean(true); }), "#t\r\n");
  EXPECT_EQ(written(3, [](auto& w) { w.boolean(false); }), "#f\r\n");
}

TEST(ReplyWriter, DoublesByProtocol) {
  EXPECT_EQ(written(3, [](auto& w) { w.real(1.5); }), ",1.5\r\n");
  EXPECT_EQ(written(3, [](auto& w) { w.real(-0.1); }), ",-0.1\r\n");
  EXPECT_EQ(written(3, [](auto& w) { w.real(3.0); }), ",3\r\n");
  EXPECT_EQ(written(3, [](auto& w) { w.real(1e300); }), ",1e+300\r\n");
  EXPECT_EQ(written(3, [](auto& w) { w.real(std::numeric_limits<double>::infinity()); }),
            ",inf\r\n");
  EXPECT_EQ(written(3, [](auto& w) { w.real(-std::numeric_limits<double>::infinity()); }),
            ",-inf\r\n");
  EXPECT_EQ(written(3, [](auto& w) { w.real(std::nan("")); }), ",nan\r\n");
  EXPECT_EQ(written(2, [](auto& w) { w.real(1.5); }), "$3\r\n1.5\r\n");
  EXPECT_EQ(written(2, [](auto& w) { w.real(0.1); }), "$3\r\n0.1\r\n");
  EXPECT_EQ(written(2, [](auto& w) { w.real(-std::numeric_limits<double>::infinity()); }),
            "$4\r\n-inf\r\n");
}

TEST(ReplyWriter, VerbatimByProtocol) {
  EXPECT_EQ(written(3, [](auto& w) { w.verbatim("# Server\r\nx:1\r\n"); }),
            "=19\r\ntxt:# Server\r\nx:1\r\n\r\n");
  EXPECT_EQ(written(2, [](auto& w) { w.verbatim("# Server\r\nx:1\r\n"); }),
            "$15\r\n# Server\r\nx:1\r\n\r\n");
}

TEST(ReplyWriter, AppendsAndFollowsProtocolChanges) {
  std::string out = "+PONG\r\n";
  ReplyWriter writer(out);
  EXPECT_EQ(writer.protocol(), 2);
  writer.map(1);
  writer.bulk("proto");
  writer.integer(2);
  writer.set_protocol(3);
  EXPECT_EQ(writer.protocol(), 3);
  writer.map(1);
  writer.bulk("proto");
  writer.integer(3);
  EXPECT_EQ(out, "+PONG\r\n*2\r\n$5\r\nproto\r\n:2\r\n%1\r\n$5\r\nproto\r\n:3\r\n");
}

}  // namespace
}  // namespace tasq::resp
