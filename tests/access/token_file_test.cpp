// The admin token file: where it goes, its mode whatever the umask, and the
// directories it refuses to be written in.

#include "tasq/access/token_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace tasq::access {
namespace {

namespace fs = std::filesystem;

class TokenFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "tasq-token-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    base_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(base_, ec);
    ::unsetenv("TASQ_RUNTIME_DIR");
  }
  static unsigned mode_of(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  }
  std::string base_;
};

TEST_F(TokenFile, RuntimeDirFollowsTheEnvironmentFirst) {
  ::setenv("TASQ_RUNTIME_DIR", "/some/where", 1);
  EXPECT_EQ(runtime_dir(), "/some/where");
  ::unsetenv("TASQ_RUNTIME_DIR");
  const std::string fallback = runtime_dir();
  if (::geteuid() == 0) {
    EXPECT_EQ(fallback, "/run/tasq");
  } else {
    EXPECT_TRUE(fallback == "/run/tasq" || fallback == "/tmp/tasq-" + std::to_string(::geteuid()))
        << fallback;
  }
  EXPECT_EQ(token_file_path("/d", 6381), "/d/admin-6381.token");
}

TEST_F(TokenFile, WrittenMode0600WhateverTheUmask) {
  const std::string dir = base_ + "/rt";
  const mode_t old = ::umask(0);
  auto written = write_token_file(dir + "/admin-1.token", "abc");
  ::umask(old);
  EXPECT_EQ(mode_of(dir), 0700U) << "made private";
  EXPECT_EQ(mode_of(written.path), 0600U);
  EXPECT_EQ(read_token_file(written.path).value_or(""), "abc");
  // A second write replaces it whole (a new file, renamed over the old).
  auto again = write_token_file(dir + "/admin-1.token", "def");
  EXPECT_EQ(read_token_file(again.path).value_or(""), "def");
  EXPECT_EQ(mode_of(again.path), 0600U);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1)
      << "no temporary file left";
}

TEST_F(TokenFile, RemovedOnlyWhileItIsTheOneWritten) {
  const std::string path = base_ + "/rt/admin-2.token";
  auto first = write_token_file(path, "one");
  auto second = write_token_file(path, "two");  // a later tasqd on the same port
  remove_token_file(first);
  EXPECT_TRUE(fs::exists(path)) << "another process's file stays";
  remove_token_file(second);
  EXPECT_FALSE(fs::exists(path));
}

TEST_F(TokenFile, RefusesADirectoryOthersMayWrite) {
  const std::string dir = base_ + "/open";
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  ASSERT_EQ(::chmod(dir.c_str(), 0777), 0);
  EXPECT_THROW(write_token_file(dir + "/admin-3.token", "x"), std::runtime_error);
  EXPECT_FALSE(fs::exists(dir + "/admin-3.token"));
}

TEST_F(TokenFile, RefusesASymlinkedDirectory) {
  const std::string real = base_ + "/real";
  const std::string link = base_ + "/link";
  ASSERT_EQ(::mkdir(real.c_str(), 0700), 0);
  ASSERT_EQ(::symlink(real.c_str(), link.c_str()), 0);
  EXPECT_THROW(write_token_file(link + "/admin-4.token", "x"), std::runtime_error);
}

TEST_F(TokenFile, RefusesADirectoryOfAnotherUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a directory away";
  const std::string dir = base_ + "/theirs";
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  ASSERT_EQ(::chown(dir.c_str(), 65534, 65534), 0);
  try {
    write_token_file(dir + "/admin-5.token", "x");
    ADD_FAILURE() << "wrote into a directory owned by uid 65534";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("belongs to uid 65534"), std::string::npos) << e.what();
  }
}

TEST_F(TokenFile, ReadingTakesTheFirstLineAndSaysWhyNot) {
  const std::string path = base_ + "/t";
  std::ofstream(path) << "tok en\r\nsecond line\n";
  EXPECT_EQ(read_token_file(path).value_or(""), "tok en");
  std::string why;
  EXPECT_FALSE(read_token_file(base_ + "/missing", &why).has_value());
  EXPECT_NE(why.find("No such file"), std::string::npos) << why;
  std::ofstream(base_ + "/blank") << "\n";
  EXPECT_FALSE(read_token_file(base_ + "/blank", &why).has_value());
}

}  // namespace
}  // namespace tasq::access
