#pragma once
// `reload_watch`: inotify on the reactor. A change to a watched file, or
// anywhere under a watched directory, starts a reload_watch_delay_ms window;
// the changes of that window make one graceful reload, logged with the paths.
//
// A watched FILE is watched through its parent directory, filtered by name:
// editors, `install` and `cp`-to-a-temporary-then-rename replace the inode,
// and a watch on the old inode would go quiet after the first change. A
// watched DIRECTORY is watched recursively, new subdirectories included.

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace tasq::server {

class ReloadWatch {
 public:
  /// Starts a reload with the given reason; false when none could start now
  /// (one is already running): the watch then tries again until one does.
  using ReloadFn = std::function<bool(std::string_view why)>;

  ReloadWatch(boost::asio::io_context& io, std::vector<std::string> paths,
              std::chrono::milliseconds delay, ReloadFn reload);
  ~ReloadWatch();
  ReloadWatch(const ReloadWatch&) = delete;
  ReloadWatch& operator=(const ReloadWatch&) = delete;

  /// Adds every watch and starts reading. Throws std::runtime_error with a
  /// one-line reason when inotify cannot be set up, e.g. the watch limit.
  void start();
  /// Cancels the pending reload and closes the inotify descriptor.
  void stop();

  /// Reloads this watch has started.
  [[nodiscard]] std::uint64_t reloads() const { return reloads_; }

 private:
  struct Watch {
    std::string dir;
    bool recursive = false;        ///< every name counts; subdirectories are watched too
    std::set<std::string> names;   ///< else only these names count (watched files)
    bool root = false;             ///< a directory named in reload_watch itself
  };

  /// Adds (or merges into) the watch on `dir`; returns its descriptor, or -1
  /// after logging when `at_start` is false. At start, throws instead.
  int add_watch(const std::string& dir, bool at_start);
  /// Watches `dir` and every directory below it; with `report`, every entry
  /// found is a change (it may have appeared before its watch was added).
  void add_tree(const std::string& dir, bool at_start, bool report);
  void add_path(const std::string& path);
  void forget_tree(const std::string& dir);

  void do_read();
  void on_read(const boost::system::error_code& ec, std::size_t bytes);
  void handle_event(int wd, std::uint32_t mask, std::string_view name);
  void changed(std::string path);
  void arm(std::chrono::milliseconds after);
  void fire();

  std::vector<std::string> paths_;
  std::chrono::milliseconds delay_;
  ReloadFn reload_;
  boost::asio::posix::stream_descriptor inotify_;
  boost::asio::steady_timer timer_;
  alignas(8) std::array<char, 64 * 1024> buffer_{};
  std::map<int, Watch> watches_;
  std::set<std::string> changed_;  ///< distinct paths of the pending window, capped
  std::size_t changed_uncounted_ = 0;  ///< further changes past the cap
  bool armed_ = false;
  bool told_busy_ = false;
  bool stopped_ = false;
  std::uint64_t reloads_ = 0;
};

}  // namespace tasq::server
