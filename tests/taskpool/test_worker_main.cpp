// The worker executable of the pool tests: what tasqd does in worker mode,
// without the server around it (PoolConfig::worker_exe).

#include <cstdio>

#include "tasq/taskpool/pool.h"

int main(int argc, char** argv) {
  if (tasq::taskpool::is_worker_process(argc, argv)) {
    return tasq::taskpool::worker_main(argc, argv);
  }
  std::fprintf(stderr, "pool_test_worker: started by a tasq pool only\n");
  return 2;
}
