#include "tasq/metrics/process_figures.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <ctime>

namespace tasq::metrics {
namespace {

TEST(ProcessFigures, ParsesACommandNameWithSpacesAndParentheses) {
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt
  // cmajflt utime stime cutime cstime priority nice threads itrealvalue
  // starttime vsize rss ...
  std::string stat =
      "4242 (tasqd: a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 "
      "250 50 0 0 20 0 1 0 1000 123456789 300 18446744073709551615 1 1 0 0 0 0 0 0";
  ProcessFigures figures;
  ASSERT_TRUE(parse_proc_stat(stat, 100, 1700000000, figures));
  EXPECT_DOUBLE_EQ(figures.cpu_seconds, 3.0);
  EXPECT_DOUBLE_EQ(figures.start_time_seconds, 1700000010.0);
  EXPECT_EQ(figures.virtual_bytes, 123456789u);
  EXPECT_EQ(figures.resident_bytes, 300u * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE)));
}

TEST(ProcessFigures, RefusesWhatIsNotAStatLine) {
  ProcessFigures figures;
  EXPECT_FALSE(parse_proc_stat("", 100, 0, figures));
  EXPECT_FALSE(parse_proc_stat("1 (x) S 1 2 3", 100, 0, figures));
  EXPECT_FALSE(parse_proc_stat("1 (x) S 1 1 1 0 -1 0 0 0 0 0 zz 5 0 0 20 0 1 0 1000 1 3 0", 100, 0,
                               figures));
}

TEST(ProcessFigures, ReadsThisProcess) {
  std::string error;
  auto figures = read_process_figures(&error);
  EXPECT_EQ(error, "");
  EXPECT_GT(figures.resident_bytes, 0u);
  EXPECT_GT(figures.virtual_bytes, figures.resident_bytes);
  EXPECT_GE(figures.open_fds, 3u) << "stdin, stdout and stderr at least";
  EXPECT_GT(figures.max_fds, 0u);
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_GT(figures.start_time_seconds, 1.0e9);
  EXPECT_LE(figures.start_time_seconds, now + 1);
}

}  // namespace
}  // namespace tasq::metrics
