#include "tasq/metrics/process_figures.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace tasq::metrics {
namespace {

bool read_text(const char* path, std::string& out) {
  std::ifstream in(path);
  if (!in) return false;
  std::stringstream buffer;
  buffer << in.rdbuf();
  out = buffer.str();
  return true;
}

void note(std::string* error, const std::string& what) {
  if (error == nullptr) return;
  if (!error->empty()) *error += "; ";
  *error += what;
}

std::uint64_t boot_time(std::string* error) {
  std::string text;
  if (!read_text("/proc/stat", text)) {
    note(error, std::string("open /proc/stat: ") + std::strerror(errno));
    return 0;
  }
  auto at = text.find("\nbtime ");
  if (at == std::string::npos) return 0;
  return std::strtoull(text.c_str() + at + 7, nullptr, 10);
}

std::uint64_t count_open_fds(std::string* error) {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) {
    note(error, std::string("opendir /proc/self/fd: ") + std::strerror(errno));
    return 0;
  }
  std::uint64_t count = 0;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  // The directory's own descriptor was open while it was read.
  return count > 0 ? count - 1 : 0;
}

}  // namespace

bool parse_proc_stat(const std::string& text, long ticks_per_second, std::uint64_t boot,
                     ProcessFigures& out) {
  // Fields after the command name, which ends at the last ')': state is
  // field 3; utime 14, stime 15, starttime 22, vsize 23, rss 24 (pages).
  auto close = text.rfind(')');
  if (close == std::string::npos || ticks_per_second <= 0) return false;
  std::istringstream rest(text.substr(close + 1));
  std::vector<std::string> fields;
  std::string field;
  while (rest >> field) fields.push_back(field);
  constexpr std::size_t kFirst = 3;  // the field number of fields[0]
  if (fields.size() + kFirst <= 24) return false;
  std::uint64_t utime = 0, stime = 0, start = 0, vsize = 0, rss_pages = 0;
  bool ok = true;
  auto read = [&](std::size_t number, std::uint64_t& value) {
    const std::string& digits = fields[number - kFirst];
    auto result = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    ok = ok && result.ec == std::errc() && result.ptr == digits.data() + digits.size();
  };
  read(14, utime);
  read(15, stime);
  read(22, start);
  read(23, vsize);
  read(24, rss_pages);
  if (!ok) return false;
  const double ticks = static_cast<double>(ticks_per_second);
  out.cpu_seconds = static_cast<double>(utime + stime) / ticks;
  out.start_time_seconds = static_cast<double>(boot) + static_cast<double>(start) / ticks;
  out.virtual_bytes = vsize;
  out.resident_bytes = rss_pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  return true;
}

ProcessFigures read_process_figures(std::string* error) {
  ProcessFigures figures;
  std::string stat;
  if (!read_text("/proc/self/stat", stat)) {
    note(error, std::string("open /proc/self/stat: ") + std::strerror(errno));
  } else if (!parse_proc_stat(stat, ::sysconf(_SC_CLK_TCK), boot_time(error), figures)) {
    note(error, "/proc/self/stat: unexpected format");
  }
  figures.open_fds = count_open_fds(error);
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    figures.max_fds = limit.rlim_cur == RLIM_INFINITY ? 0 : limit.rlim_cur;
  } else {
    note(error, std::string("getrlimit(RLIMIT_NOFILE): ") + std::strerror(errno));
  }
  return figures;
}

}  // namespace tasq::metrics
