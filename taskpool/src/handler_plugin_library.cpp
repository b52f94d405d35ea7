#include <dlfcn.h>

#include <stdexcept>
#include <string>

#include "handler_plugin.h"

namespace tasq::taskpool::handlers {

namespace {

// dlsym returns void*; POSIX requires that it convert to a function pointer,
// which C++ leaves to the implementation and every POSIX compiler allows.
template <typename Function>
Function lookup(void* handle, const char* name) {
  return reinterpret_cast<Function>(::dlsym(handle, name));
}

std::string last_dl_error() {
  const char* text = ::dlerror();
  return text != nullptr ? text : "unknown dlopen error";
}

}  // namespace

PluginLibrary::PluginLibrary(std::string_view path) : path_(path) {
  handle_ = ::dlopen(path_.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) {
    std::string reason = "cannot load handler plugin: " + last_dl_error();
    // A bare word is more likely a mistyped handler than a library on the
    // search path; say what the valid forms are.
    if (path_.find('/') == std::string::npos) {
      reason += " (a handler is echo, exec:COMMAND, pipe:COMMAND or the path of a plugin library)";
    }
    throw std::runtime_error(reason);
  }

  // From here on the destructor will not run, so failures close the handle.
  auto fail = [this](const std::string& reason) {
    ::dlclose(handle_);
    handle_ = nullptr;
    throw std::runtime_error("handler plugin " + path_ + ": " + reason);
  };

  auto abi_version = lookup<int (*)()>(handle_, "tasq_abi_version");
  if (abi_version == nullptr) {
    fail("missing required function tasq_abi_version (is it exported with C linkage?)");
  }
  const int version = abi_version();
  if (version != TASQ_ABI_VERSION) {
    fail("built for ABI version " + std::to_string(version) + ", this tasq loads version " +
         std::to_string(TASQ_ABI_VERSION) + "; rebuild it against this tasq's tasq/handler.h");
  }
  task = lookup<decltype(task)>(handle_, "tasq_task");
  if (task == nullptr) {
    fail("missing required function tasq_task (is it exported with C linkage?)");
  }
  worker_start = lookup<decltype(worker_start)>(handle_, "tasq_worker_start");
  worker_stop = lookup<decltype(worker_stop)>(handle_, "tasq_worker_stop");
  finish = lookup<decltype(finish)>(handle_, "tasq_finish");
}

PluginLibrary::~PluginLibrary() {
  if (handle_ != nullptr) ::dlclose(handle_);
}

void* PluginLibrary::release() {
  void* handle = handle_;
  handle_ = nullptr;
  return handle;
}

}  // namespace tasq::taskpool::handlers
