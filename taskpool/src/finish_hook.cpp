// The master's side of a plugin: it loads the same library as the workers,
// checked the same way, but only ever calls tasq_finish.

#include <dlfcn.h>

#include "handler_factory.h"
#include "handler_plugin.h"
#include "tasq/taskpool/handler_runner.h"

namespace tasq::taskpool {

FinishHook::FinishHook(std::string_view spec) {
  const handlers::Spec parsed = handlers::parse_spec(spec);
  if (parsed.kind != handlers::Kind::plugin) return;
  handlers::PluginLibrary library(parsed.argument);
  finish_ = library.finish;
  library_ = library.release();
}

FinishHook::~FinishHook() {
  if (library_ != nullptr) ::dlclose(library_);
}

void FinishHook::call(const tasq_finish_info& info) const {
  if (finish_ != nullptr) finish_(&info);
}

}  // namespace tasq::taskpool
