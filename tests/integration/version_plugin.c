/* version_plugin: built twice, with TASQ_TEST_PLUGIN_VERSION 1 and 2, for the
 * reload_watch test that rebuilds a plugin in place while tasks run.
 *
 * Each task leaves $TASQ_TEST_RECORD_DIR/ID holding the version that ran it,
 * created with link(2) from a per-worker temporary so it appears complete or
 * not at all. A second run of the same id cannot link over the first: it
 * leaves ID.twice.PID instead, for the test to find. The result is "vN". */
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

#ifndef TASQ_TEST_PLUGIN_VERSION
#error "build with -DTASQ_TEST_PLUGIN_VERSION=N"
#endif

static const char *record_dir = NULL;

int tasq_abi_version(void) { return TASQ_ABI_VERSION; }

int tasq_worker_start(uint32_t worker_id) {
  (void)worker_id;
  record_dir = getenv("TASQ_TEST_RECORD_DIR");
  if (record_dir == NULL) {
    fprintf(stderr, "version_plugin: TASQ_TEST_RECORD_DIR is not set\n");
    return 1;
  }
  return 0;
}

static int write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  size_t len = strlen(text);
  int ok = write(fd, text, len) == (ssize_t)len;
  return close(fd) == 0 && ok ? 0 : -1;
}

int tasq_task(const tasq_task_info *task, tasq_result *result) {
  char text[16], tmp[4096], path[4096];
  snprintf(text, sizeof text, "%d", TASQ_TEST_PLUGIN_VERSION);
  snprintf(tmp, sizeof tmp, "%s/.tmp.%ld", record_dir, (long)getpid());
  snprintf(path, sizeof path, "%s/%" PRIu64, record_dir, task->id);
  if (write_file(tmp, text) != 0) return 1;
  if (link(tmp, path) != 0) {
    if (errno != EEXIST) return 1;
    snprintf(path, sizeof path, "%s/%" PRIu64 ".twice.%ld", record_dir, task->id, (long)getpid());
    if (write_file(path, text) != 0) return 1;
  }
  unlink(tmp);
  if (result->capacity >= 3) {
    result->length = (size_t)snprintf(result->data, result->capacity, "v%d", TASQ_TEST_PLUGIN_VERSION);
  }
  return 0;
}
