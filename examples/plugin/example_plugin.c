/* An example tasq handler plugin: it upper-cases each payload.
 *
 * Copy this file to start your own. Build it against the installed header:
 *
 *   cc -shared -fPIC -O2 -I/usr/local/include -o libexample.so example_plugin.c
 *
 * and run tasqd with it:
 *
 *   tasqd --handler /path/to/libexample.so
 *
 * A worker runs one task at a time, so plain globals are safe: each worker
 * process has its own copy. See tasq/handler.h for the whole contract.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tasq/handler.h>

static uint32_t this_worker;
static unsigned long tasks_done;

/* Required: tells tasq which version of tasq/handler.h this was built with. */
int tasq_abi_version(void) { return TASQ_ABI_VERSION; }

/* Optional: runs once per worker before its first task. Open connections or
 * load configuration here; return non-zero to refuse to start. */
int tasq_worker_start(uint32_t worker_id) {
  this_worker = worker_id;
  tasks_done = 0;
  return 0;
}

static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

/* Required: runs one task. Return 0 and put the result in `result`; or return
 * non-zero (tasq retries the task) with an error message in `result`. */
int tasq_task(const tasq_task_info *task, tasq_result *result) {
  if (task->payload_len == 0) {
    static const char message[] = "empty payload";
    result->length = min_size(sizeof message - 1, result->capacity);
    memcpy(result->data, message, result->length);
    return 1;
  }
  const unsigned char *payload = task->payload;
  result->length = min_size(task->payload_len, result->capacity);
  for (size_t i = 0; i < result->length; ++i) result->data[i] = (char)toupper(payload[i]);
  ++tasks_done;
  return 0;
}

/* Optional: runs when a worker stops gracefully (reload, recycle, shutdown).
 * Whatever a worker writes to stderr goes to tasqd's log output. */
void tasq_worker_stop(uint32_t worker_id) {
  fprintf(stderr, "example plugin: worker %u stops after %lu tasks\n", (unsigned)worker_id,
          tasks_done);
}

/* Optional: runs in the tasqd master once per end of a task attempt. It must
 * be quick: the server waits for it. This one appends a line to the file named
 * by $TASQ_EXAMPLE_LOG, or writes it to stderr. */
void tasq_finish(const tasq_finish_info *info) {
  static const char *const outcomes[] = {"completed", "failed", "dead"};
  const char *outcome = (unsigned)info->outcome < 3 ? outcomes[info->outcome] : "unknown";
  const char *path = getenv("TASQ_EXAMPLE_LOG");
  FILE *out = path != NULL && path[0] != '\0' ? fopen(path, "a") : stderr;
  if (out == NULL) return;
  fprintf(out, "task %llu on queue %.*s: %s (attempt %u)", (unsigned long long)info->id,
          (int)info->queue_len, info->queue, outcome, (unsigned)info->attempt);
  if (info->outcome == TASQ_COMPLETED) {
    fprintf(out, ", %zu-byte result\n", info->result_len);
  } else {
    fprintf(out, ": %s\n", info->reason);
  }
  if (out != stderr) fclose(out);
}
