// reload_watch with a real tasqd and real workers: a plugin rebuilt in place
// while tasks run, each kind of change, the debounce, and the watch limit.

#include <gtest/gtest.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "redis_client.h"
#include "tasqd_process.h"

namespace tasq::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

int count_of(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

// What `install` and `cp` to a temporary then `mv` do: a new inode under the name.
void replace_by_rename(const std::string& from, const std::string& to) {
  std::string tmp = to + ".tmp";
  fs::copy_file(from, tmp, fs::copy_options::overwrite_existing);
  fs::rename(tmp, to);
}

long long reloads(RedisClient& c) { return info_field(c, "reload_watch_reloads"); }

// Waits until reload_watch has started `n` reloads and the last one is done.
bool reloaded(RedisClient& c, TasqdProcess& server, long long n) {
  return eventually([&] { return reloads(c) >= n; }) &&
         eventually([&] { return count_of(server.log(), "reload done") >= n; });
}

TEST(ReloadWatch, PluginRebuiltInPlaceRunsNewCodeLosingNoTask) {
  std::string lib_dir = make_temp_dir("watch-plugin");
  std::string record_dir = make_temp_dir("watch-record");
  std::string lib = lib_dir + "/handler.so";
  fs::copy_file(TASQ_VERSION_PLUGIN_1, lib);
  ::setenv("TASQ_TEST_RECORD_DIR", record_dir.c_str(), 1);
  TasqdProcess server({"--handler", lib, "--reload_watch", lib, "--reload_watch_delay_ms", "100",
                       "--task_worker_num", "2"});
  ASSERT_TRUE(server.started());

  std::mutex mu;
  std::vector<long long> acked;
  long long first_after_reload = 0;  // the first id pushed once the reload was seen done
  std::atomic<bool> reload_seen{false}, stop{false};
  std::string push_error;
  std::thread pusher([&] {
    RedisClient c(server.port());
    for (int i = 0; !stop; ++i) {
      bool after = reload_seen.load();
      auto r = c.command({"LPUSH", "q", std::to_string(i)});
      std::lock_guard lock(mu);
      if (r.type != Reply::Type::integer) {
        push_error = r.str;
        return;
      }
      acked.push_back(r.integer);
      if (after && first_after_reload == 0) first_after_reload = r.integer;
      std::this_thread::sleep_for(2ms);
    }
  });

  auto ran = [&] {
    std::size_t n = 0;
    for (const auto& e : fs::directory_iterator(record_dir)) n += e.path().filename().string()[0] != '.';
    return n;
  };
  EXPECT_TRUE(eventually([&] { return ran() >= 50; })) << "tasks run before the rebuild";
  replace_by_rename(TASQ_VERSION_PLUGIN_2, lib);
  EXPECT_TRUE(server.wait_for_log("reload_watch: 1 change(s): " + lib));
  EXPECT_TRUE(server.wait_for_log("reload done"));
  reload_seen = true;
  // Keep pushing until tasks pushed after the reload ran too.
  EXPECT_TRUE(eventually([&] {
    std::lock_guard lock(mu);
    return first_after_reload != 0 && acked.size() > 0 &&
           acked.back() >= first_after_reload + 50 && fs::exists(record_dir + "/" + std::to_string(first_after_reload + 50));
  }));
  stop = true;
  pusher.join();
  ASSERT_EQ(push_error, "");

  std::set<long long> expected(acked.begin(), acked.end());
  ASSERT_EQ(expected.size(), acked.size()) << "ids are unique";
  ASSERT_TRUE(eventually([&] { return ran() >= expected.size(); })) << ran() << " of " << expected.size();
  int v1 = 0, v2 = 0;
  for (const auto& e : fs::directory_iterator(record_dir)) {
    std::string name = e.path().filename().string();
    if (name[0] == '.') continue;
    ASSERT_EQ(name.find("twice"), std::string::npos) << "task ran twice: " << name;
    long long id = std::stoll(name);
    ASSERT_EQ(expected.count(id), 1u) << "unknown task " << id;
    std::string version = read_file(e.path().string());
    (version == "1" ? v1 : v2)++;
    if (id >= first_after_reload) {
      EXPECT_EQ(version, "2") << "task " << id << " after the reload";
    }
  }
  EXPECT_EQ(ran(), expected.size()) << "every acknowledged task ran exactly once";
  EXPECT_GT(v1, 0);
  EXPECT_GT(v2, 50);
  RedisClient c(server.port());
  EXPECT_EQ(reloads(c), 1) << server.log();
  ::unsetenv("TASQ_TEST_RECORD_DIR");
}

TEST(ReloadWatch, TouchCopyDeleteAndNewSubdirectoryEachReload) {
  std::string dir = make_temp_dir("watch-tree");
  for (const char* name : {"touched", "copied", "deleted"}) write_file(dir + "/" + name, "old");
  // Each step below is one change seen as one reload: a window wide enough
  // that a step's own events (a write is a truncate, then the bytes) never
  // straddle it, even when this process is descheduled between them.
  TasqdProcess server({"--reload_watch", dir, "--reload_watch_delay_ms", "500"});
  ASSERT_TRUE(server.started());
  RedisClient c(server.port());
  ASSERT_EQ(reloads(c), 0);
  long long n = 0;

  // touch: attributes only.
  ASSERT_EQ(::utimensat(AT_FDCWD, (dir + "/touched").c_str(), nullptr, 0), 0);
  EXPECT_TRUE(reloaded(c, server, ++n)) << server.log();
  EXPECT_NE(server.log().find("change(s): " + dir + "/touched"), std::string::npos);

  // touch -m (what std::filesystem and make do): the kernel says IN_MODIFY.
  fs::last_write_time(dir + "/copied", fs::file_time_type::clock::now());
  EXPECT_TRUE(reloaded(c, server, ++n)) << server.log();
  EXPECT_NE(server.log().find("change(s): " + dir + "/copied"), std::string::npos);

  // cp over an existing file: written in place, same inode.
  write_file(dir + "/copied", "new");
  EXPECT_TRUE(reloaded(c, server, ++n)) << server.log();
  EXPECT_EQ(count_of(server.log(), "change(s): " + dir + "/copied"), 2);

  fs::remove(dir + "/deleted");
  EXPECT_TRUE(reloaded(c, server, ++n)) << server.log();
  EXPECT_NE(server.log().find("change(s): " + dir + "/deleted"), std::string::npos);

  // A subdirectory made after start, with a file written in it at once, and
  // then again: the second write is seen through the new subdirectory's watch.
  fs::create_directories(dir + "/new/deeper");
  write_file(dir + "/new/deeper/file", "1");
  EXPECT_TRUE(eventually([&] { return reloads(c) > n; })) << server.log();
  EXPECT_TRUE(eventually([&] { return count_of(server.log(), "reload done") >= reloads(c); }));
  n = reloads(c);
  EXPECT_NE(server.log().find(dir + "/new"), std::string::npos);
  write_file(dir + "/new/deeper/file", "2");
  EXPECT_TRUE(reloaded(c, server, ++n)) << server.log();
  EXPECT_NE(server.log().find("change(s): " + dir + "/new/deeper/file"), std::string::npos)
      << server.log();
}

TEST(ReloadWatch, WatchedFileReplacedTwiceByRenameAndInstall) {
  std::string dir = make_temp_dir("watch-file");
  std::string file = dir + "/lib.so", other = dir + "/other";
  write_file(file, "v1");
  write_file(other, "x");
  TasqdProcess server({"--reload_watch", file, "--reload_watch_delay_ms", "50"});
  ASSERT_TRUE(server.started());
  RedisClient c(server.port());

  // A neighbour of the watched file is no change.
  write_file(other, "y");
  write_file(dir + "/v2", "v2");
  replace_by_rename(dir + "/v2", file);
  EXPECT_TRUE(reloaded(c, server, 1)) << server.log();
  // The name now has a new inode; the next replacement is seen all the same.
  auto [status, out] = run_command("install -m 644 " + dir + "/v2 " + file + " 2>&1");
  ASSERT_EQ(status, 0) << out;
  EXPECT_TRUE(reloaded(c, server, 2)) << server.log();
  EXPECT_EQ(server.log().find(other), std::string::npos) << server.log();
  EXPECT_EQ(server.log().find(dir + "/v2"), std::string::npos) << server.log();
}

TEST(ReloadWatch, ChangesWithinTheDelayMakeOneReload) {
  std::string dir = make_temp_dir("watch-debounce");
  TasqdProcess server({"--reload_watch", dir, "--reload_watch_delay_ms", "3000"});
  ASSERT_TRUE(server.started());
  RedisClient c(server.port());
  // Fifteen files, written well within 3 s of the first, however loaded the machine.
  for (int i = 0; i < 15; ++i) write_file(dir + "/f" + std::to_string(100 + i), "x");
  EXPECT_TRUE(reloaded(c, server, 1)) << server.log();
  EXPECT_TRUE(server.wait_for_log("reload_watch: 15 change(s): "));
  EXPECT_TRUE(server.wait_for_log(dir + "/f109 and 5 more: reloading"));
  // No second reload follows for the same changes (give it two windows).
  std::this_thread::sleep_for(6s);
  EXPECT_EQ(reloads(c), 1) << server.log();
  EXPECT_EQ(count_of(server.log(), "reload_watch: 15 change(s)"), 1);
}

TEST(ReloadWatch, ChangeDuringARunningReloadReloadsAgainAfterIt) {
  std::string dir = make_temp_dir("watch-busy");
  // Workers that take a while to stop keep the first reload running.
  TasqdProcess server({"--reload_watch", dir, "--reload_watch_delay_ms", "50", "--handler",
                       "exec:sleep 1", "--task_worker_num", "2"});
  ASSERT_TRUE(server.started());
  RedisClient c(server.port());
  for (int i = 0; i < 4; ++i) ASSERT_EQ(c.command({"LPUSH", "q", "x"}).type, Reply::Type::integer);
  write_file(dir + "/first", "1");
  ASSERT_TRUE(eventually([&] { return reloads(c) == 1; }));
  write_file(dir + "/second", "2");
  EXPECT_TRUE(reloaded(c, server, 2)) << server.log();
  EXPECT_NE(server.log().find("change(s): " + dir + "/second"), std::string::npos);
}

// The per-user-namespace limit (user.max_inotify_watches) can be lowered by
// the owner of a new user namespace, so the limit is tested for real where
// `unshare -U -r` works; elsewhere the test is skipped.
TEST(ReloadWatch, WatchLimitReachedIsAClearStartError) {
  if (run_command("unshare -U -r true 2>/dev/null").first != 0) {
    GTEST_SKIP() << "unshare -U -r is not allowed here";
  }
  std::string dir = make_temp_dir("watch-limit");
  for (int i = 0; i < 6; ++i) fs::create_directories(dir + "/d" + std::to_string(i));
  auto [status, out] = run_command(
      "timeout 30 unshare -U -r sh -c 'echo 3 > /proc/sys/user/max_inotify_watches && exec " +
      std::string(TASQ_TASQD_PATH) + " --listen 127.0.0.1:0 --admin none --reload_watch " + dir +
      "' 2>&1");
  EXPECT_NE(status, 0) << out;
  EXPECT_NE(status, 124) << "tasqd did not stop: " << out;
  EXPECT_NE(out.find("reload_watch: inotify watch limit reached (fs.inotify.max_user_watches = "),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("while watching " + dir), std::string::npos) << out;
  EXPECT_EQ(out.find("ready"), std::string::npos) << out;
}

}  // namespace
}  // namespace tasq::test
