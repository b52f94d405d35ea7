/* record_plugin: a handler plugin for the deploy tests that records every
 * task it runs, so that a test can tell which tasks ran, where, and how many
 * times -- without a process per task, which would make thousands of tasks
 * slow on a busy machine.
 *
 * Each worker appends `QUEUE ID ATTEMPT PAYLOAD\n`, one write(2) per task, to
 * $TASQ_TEST_RECORD_DIR/worker.PID.log. Queue and payload are the test's own
 * and hold no spaces or newlines. A worker without the variable refuses to
 * start. */
/* O_CLOEXEC and the other POSIX calls under -std=c99. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tasq/handler.h"

static int record_fd = -1;

int tasq_abi_version(void) { return TASQ_ABI_VERSION; }

int tasq_worker_start(uint32_t worker_id) {
  (void)worker_id;
  const char *dir = getenv("TASQ_TEST_RECORD_DIR");
  if (dir == NULL) {
    fprintf(stderr, "record_plugin: TASQ_TEST_RECORD_DIR is not set\n");
    return 1;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/worker.%ld.log", dir, (long)getpid());
  record_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (record_fd < 0) {
    fprintf(stderr, "record_plugin: open(%s): %s\n", path, strerror(errno));
    return 1;
  }
  return 0;
}

int tasq_task(const tasq_task_info *task, tasq_result *result) {
  (void)result;
  char line[1024];
  int n = snprintf(line, sizeof line, "%.*s %" PRIu64 " %" PRIu32 " %.*s\n", (int)task->queue_len,
                   task->queue, task->id, task->attempt, (int)task->payload_len,
                   (const char *)task->payload);
  if (n < 0 || (size_t)n >= sizeof line) return 1;
  return write(record_fd, line, (size_t)n) == n ? 0 : 1;
}

void tasq_worker_stop(uint32_t worker_id) {
  (void)worker_id;
  if (record_fd >= 0) close(record_fd);
  record_fd = -1;
}
