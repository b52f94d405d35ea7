#include "tasq/metrics/text_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace tasq::metrics {
namespace {

TEST(TextWriter, CounterAndGauge) {
  std::string out;
  TextWriter w(out);
  w.single("tasq_tasks_completed_total", Type::counter, "Tasks that ended successfully.",
           std::uint64_t{42});
  w.family("tasq_ring_used_bytes", Type::gauge, "Bytes of the ring held by tasks.");
  w.sample({}, std::uint64_t{0});
  EXPECT_EQ(out,
            "# HELP tasq_tasks_completed_total Tasks that ended successfully.\n"
            "# TYPE tasq_tasks_completed_total counter\n"
            "tasq_tasks_completed_total 42\n"
            "# HELP tasq_ring_used_bytes Bytes of the ring held by tasks.\n"
            "# TYPE tasq_ring_used_bytes gauge\n"
            "tasq_ring_used_bytes 0\n");
}

TEST(TextWriter, Labels) {
  std::string out;
  TextWriter w(out);
  w.family("tasq_queue_waiting_tasks", Type::gauge, "Waiting.");
  w.sample({{"queue", "emails"}, {"state", "x"}}, std::int64_t{-3});
  EXPECT_NE(out.find("tasq_queue_waiting_tasks{queue=\"emails\",state=\"x\"} -3\n"),
            std::string::npos)
      << out;
}

TEST(TextWriter, EscapesHelpAndLabelValues) {
  std::string out;
  TextWriter w(out);
  w.family("m", Type::gauge, "a \\ b\nc \"q\"");
  w.sample({{"queue", "a\\b\"c\nd"}}, 1.5);
  EXPECT_EQ(out,
            "# HELP m a \\\\ b\\nc \"q\"\n"
            "# TYPE m gauge\n"
            "m{queue=\"a\\\\b\\\"c\\nd\"} 1.5\n");
}

TEST(TextWriter, ReplacesBadUtf8InLabelValues) {
  std::string out;
  append_label_value(out, std::string("ok\xff\xc3\xa9\xed\xa0\x80z", 9));
  // 0xff bad; é kept; a UTF-16 surrogate (ED A0 80) is three bad bytes.
  EXPECT_EQ(out, "ok\xEF\xBF\xBD\xC3\xA9\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDz");
  out.clear();
  append_label_value(out, "\xe2\x82");  // cut short
  EXPECT_EQ(out, "\xEF\xBF\xBD\xEF\xBF\xBD");
  out.clear();
  append_label_value(out, "\xf0\x9f\x93\xa6 box");
  EXPECT_EQ(out, "\xf0\x9f\x93\xa6 box");
}

TEST(TextWriter, Numbers) {
  auto num = [](double v) {
    std::string out;
    append_number(out, v);
    return out;
  };
  EXPECT_EQ(num(0.0001), "0.0001");
  EXPECT_EQ(num(0.1), "0.1");
  EXPECT_EQ(num(1800), "1800");
  EXPECT_EQ(num(-2.5), "-2.5");
  EXPECT_EQ(num(0), "0");
  EXPECT_EQ(num(1e20), "1e+20");
  EXPECT_EQ(num(1.5e-9), "1.5e-09");
  EXPECT_EQ(num(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(num(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(num(std::nan("")), "NaN");
  std::string out;
  TextWriter w(out);
  w.single("big_total", Type::counter, "h", std::uint64_t{18446744073709551615u});
  EXPECT_NE(out.find("big_total 18446744073709551615\n"), std::string::npos);
}

TEST(TextWriter, HistogramIsCumulativeWithInf) {
  Histogram h;
  h.observe(0.003);
  h.observe(0.003);
  h.observe(4000);
  std::string out;
  TextWriter w(out);
  w.family("tasq_task_wait_seconds", Type::histogram, "Wait.");
  w.histogram({{"queue", "q"}}, h);
  EXPECT_NE(out.find("tasq_task_wait_seconds_bucket{queue=\"q\",le=\"0.0025\"} 0\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("tasq_task_wait_seconds_bucket{queue=\"q\",le=\"0.005\"} 2\n"),
            std::string::npos);
  EXPECT_NE(out.find("tasq_task_wait_seconds_bucket{queue=\"q\",le=\"1800\"} 2\n"),
            std::string::npos);
  EXPECT_NE(out.find("tasq_task_wait_seconds_bucket{queue=\"q\",le=\"+Inf\"} 3\n"),
            std::string::npos);
  EXPECT_NE(out.find("tasq_task_wait_seconds_sum{queue=\"q\"} 4000.00"), std::string::npos);
  EXPECT_NE(out.find("tasq_task_wait_seconds_count{queue=\"q\"} 3\n"), std::string::npos);
}

TEST(TextWriter, NameRules) {
  EXPECT_TRUE(valid_metric_name("tasq_tasks_completed_total"));
  EXPECT_TRUE(valid_metric_name("a:b_c9"));
  EXPECT_FALSE(valid_metric_name("9a"));
  EXPECT_FALSE(valid_metric_name("a-b"));
  EXPECT_FALSE(valid_metric_name(""));
  EXPECT_TRUE(valid_label_name("queue"));
  EXPECT_FALSE(valid_label_name("__name__"));
  EXPECT_FALSE(valid_label_name("a:b"));
}

}  // namespace
}  // namespace tasq::metrics
