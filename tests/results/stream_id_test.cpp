// Stream ids are read as Redis 7 reads them: the cases below are what
// redis-server answered for the same text (XREAD/XRANGE, 7.0.15).

#include "tasq/results/stream_id.h"

#include <gtest/gtest.h>

#include <string>

namespace tasq::results {
namespace {

TEST(StreamId, FullAndIncompleteForms) {
  EXPECT_EQ(parse_id("5-3", 0, true), (StreamId{5, 3}));
  EXPECT_EQ(parse_id("5", 0, true), (StreamId{5, 0}));
  EXPECT_EQ(parse_id("5", UINT64_MAX, true), (StreamId{5, UINT64_MAX}));
  EXPECT_EQ(parse_id("0", 0, true), (StreamId{0, 0}));
  EXPECT_EQ(parse_id("18446744073709551615-18446744073709551615", 0, true), StreamId::max());
}

TEST(StreamId, WhatStrtoullAlsoTakes) {
  // string2ull falls back on strtoull: leading zeros, a sign, leading blanks.
  EXPECT_EQ(parse_id("01", 0, true), (StreamId{1, 0}));
  EXPECT_EQ(parse_id("+1", 0, true), (StreamId{1, 0}));
  EXPECT_EQ(parse_id(" 1", 0, true), (StreamId{1, 0}));
  EXPECT_EQ(parse_id("1-+2", 0, true), (StreamId{1, 2}));
  EXPECT_EQ(parse_id("1--05", 0, true), (StreamId{1, UINT64_MAX - 4}));
}

TEST(StreamId, Invalid) {
  for (const char* text : {"", "abc", "1-x", "1-", "-1", "0x1", "1-*", "18446744073709551616",
                           "1-18446744073709551616", "1 ", "-", "+"}) {
    EXPECT_FALSE(parse_id(text, 0, true)) << '"' << text << '"';
  }
  EXPECT_FALSE(parse_id(std::string(128, '1'), 0, true)) << "longer than Redis's buffer";
}

TEST(StreamId, DashAndPlusOnlyWhenNotStrict) {
  EXPECT_EQ(parse_id("-", 0, false), (StreamId{0, 0}));
  EXPECT_EQ(parse_id("+", 0, false), StreamId::max());
}

TEST(StreamId, ReadUpToTheFirstNulAsRedisCStringDoes) {
  EXPECT_EQ(parse_id(std::string("7\0junk", 6), 0, true), (StreamId{7, 0}));
  EXPECT_EQ(c_string(std::string("$\0x", 3)), "$");
}

TEST(StreamId, IntervalBounds) {
  auto open = parse_interval_bound("(5-1", 0);
  ASSERT_TRUE(open);
  EXPECT_TRUE(open->exclusive);
  EXPECT_EQ(open->id, (StreamId{5, 1}));
  EXPECT_FALSE(parse_interval_bound("(-", 0)) << "exclusive ids are strict";
  EXPECT_FALSE(parse_interval_bound("(+", UINT64_MAX));
  EXPECT_FALSE(parse_interval_bound("(", 0)) << "a lone ( is not an exclusive mark";
  EXPECT_EQ(parse_interval_bound("-", 0)->id, (StreamId{0, 0}));
}

TEST(StreamId, StepsAndTheirEnds) {
  EXPECT_EQ(next_id({1, 2}), (StreamId{1, 3}));
  EXPECT_EQ(next_id({1, UINT64_MAX}), (StreamId{2, 0}));
  EXPECT_FALSE(next_id(StreamId::max()));
  EXPECT_EQ(previous_id({2, 0}), (StreamId{1, UINT64_MAX}));
  EXPECT_FALSE(previous_id({0, 0}));
  EXPECT_EQ((StreamId{12, 3}).text(), "12-3");
}

TEST(StreamId, StrictIntegersAsString2ll) {
  EXPECT_EQ(parse_strict_int("0"), 0);
  EXPECT_EQ(parse_strict_int("-5"), -5);
  EXPECT_EQ(parse_strict_int("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(parse_strict_int("-9223372036854775808"), INT64_MIN);
  for (const char* text : {"", "01", "+1", "-0", "-", " 1", "1 ", "1.5", "9223372036854775808",
                           "99999999999999999999"}) {
    EXPECT_FALSE(parse_strict_int(text)) << '"' << text << '"';
  }
  EXPECT_FALSE(parse_strict_int(std::string("1\0", 2)));
}

}  // namespace
}  // namespace tasq::results
