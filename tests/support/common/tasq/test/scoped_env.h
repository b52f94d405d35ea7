#pragma once
// An environment variable set for the life of the object, for the processes
// a test starts meanwhile (tasqd, a pool's workers) to inherit.

#include <cstdlib>
#include <string>

namespace tasq::test {

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() { ::unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

}  // namespace tasq::test
