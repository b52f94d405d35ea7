/* A plugin for the Pool tests, whose task does what its payload says:
 *   "sleep MS"  sleeps MS milliseconds, then echoes
 *   "hang"      never returns (only the master's task_timeout ends it)
 *   "crash"     abort()s: the worker dies by SIGABRT
 *   "fail"      fails with status 5 and the reason "bad input"
 *   "ids"       returns "pid=P uid=U gid=G" of the worker
 *   anything else is echoed.
 * Built with POOL_TEST_REFUSE_START, its worker start refuses (status 9). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tasq/handler.h"

int tasq_abi_version(void) { return TASQ_ABI_VERSION; }

#ifdef POOL_TEST_REFUSE_START
int tasq_worker_start(uint32_t worker_id) {
  (void)worker_id;
  return 9;
}
#endif

static int is(const tasq_task_info *task, const char *text) {
  return task->payload_len == strlen(text) && memcmp(task->payload, text, task->payload_len) == 0;
}

static void put(tasq_result *result, const char *data, size_t n) {
  if (n > result->capacity) n = result->capacity;
  memcpy(result->data, data, n);
  result->length = n;
}

int tasq_task(const tasq_task_info *task, tasq_result *result) {
  char text[128];
  if (task->payload_len > 6 && task->payload_len < sizeof text &&
      memcmp(task->payload, "sleep ", 6) == 0) {
    memcpy(text, task->payload, task->payload_len);
    text[task->payload_len] = '\0';
    const long ms = atol(text + 6);
    struct timespec delay = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&delay, &delay) != 0) {
    }
  } else if (is(task, "hang")) {
    for (;;) pause();
  } else if (is(task, "crash")) {
    abort();
  } else if (is(task, "fail")) {
    put(result, "bad input", 9);
    return 5;
  } else if (is(task, "ids")) {
    const int n = snprintf(text, sizeof text, "pid=%d uid=%d gid=%d", (int)getpid(),
                           (int)getuid(), (int)getgid());
    put(result, text, n > 0 ? (size_t)n : 0);
    return 0;
  }
  put(result, task->payload, task->payload_len);
  return 0;
}
