#pragma once
// Internal: a handler plugin (tasq/handler.h) opened with dlopen and checked,
// shared by the worker's runner and the master's FinishHook.

#include <string>
#include <string_view>

#include "tasq/handler.h"

namespace tasq::taskpool::handlers {

/// An open plugin whose ABI version matches and whose required functions
/// exist; the optional hooks are null when the plugin lacks them.
class PluginLibrary {
 public:
  /// dlopen(RTLD_NOW | RTLD_LOCAL)s `path` and resolves the hooks. Throws
  /// std::runtime_error with a one-line reason: the dlerror() text, the
  /// missing function, or the version mismatch.
  explicit PluginLibrary(std::string_view path);
  /// dlcloses the library unless release() handed it over.
  ~PluginLibrary();
  PluginLibrary(const PluginLibrary&) = delete;
  PluginLibrary& operator=(const PluginLibrary&) = delete;

  /// Gives up ownership of the dlopen handle (the caller dlcloses it).
  void* release();
  [[nodiscard]] const std::string& path() const { return path_; }

  int (*task)(const tasq_task_info*, tasq_result*) = nullptr;
  int (*worker_start)(std::uint32_t) = nullptr;
  void (*worker_stop)(std::uint32_t) = nullptr;
  void (*finish)(const tasq_finish_info*) = nullptr;

 private:
  std::string path_;
  void* handle_ = nullptr;
};

}  // namespace tasq::taskpool::handlers
