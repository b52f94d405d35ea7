/* Bench handler for bench/delayed.sh: each payload starts with the task's
 * due time in unix milliseconds ("1763900000123:..."); the handler writes
 * its due time (ms) and how late it started (us), one line per task, to
 * $TASQ_BENCH_LAG_DIR/lag.<pid>. No work beyond that, so the figures are
 * the scheduler's and the ring's, not a handler's. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "tasq/handler.h"

static FILE *out;

int tasq_abi_version(void) { return TASQ_ABI_VERSION; }

int tasq_worker_start(uint32_t worker_id) {
  (void)worker_id;
  const char *dir = getenv("TASQ_BENCH_LAG_DIR");
  if (dir == NULL) return -1;
  char path[4096];
  snprintf(path, sizeof path, "%s/lag.%ld", dir, (long)getpid());
  out = fopen(path, "a");
  return out == NULL ? -1 : 0;
}

int tasq_task(const tasq_task_info *task, tasq_result *result) {
  (void)result;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  long long now_us = (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
  long long due_ms = 0;
  const char *p = task->payload;
  for (size_t i = 0; i < task->payload_len && p[i] >= '0' && p[i] <= '9'; ++i) {
    due_ms = due_ms * 10 + (p[i] - '0');
  }
  if (out != NULL) fprintf(out, "%lld %lld\n", due_ms, now_us - due_ms * 1000);
  return 0;
}

void tasq_worker_stop(uint32_t worker_id) {
  (void)worker_id;
  if (out != NULL) fclose(out);
  out = NULL;
}
