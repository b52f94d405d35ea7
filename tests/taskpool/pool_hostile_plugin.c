/* A hostile plugin for the pool's privilege-separation test. Its tasks echo
 * "w<worker id>:<payload>", but in worker 0 a thread attacks the pool's
 * shared memory from inside the worker, at random moments, for as long as the
 * worker lives:
 *   1. it finds every shared mapping through /proc/self/maps;
 *   2. it tries to make each one that is read-only writable, with mprotect
 *      and through /proc/self/mem;
 *   3. it fills what it can write with random bytes.
 * Its own tasks take a millisecond, so that it is mostly caught holding one.
 * The first time it tries a mapping it appends "tried NAME mprotect=M mem=W"
 * to $TASQ_TEST_HOSTILE_REPORT (M, W: 1 when that made it writable), and
 * each time it scribbles "scribbled NAME". */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "tasq/handler.h"

int tasq_abi_version(void) { return TASQ_ABI_VERSION; }

static void report(const char *line) {
  const char *path = getenv("TASQ_TEST_HOSTILE_REPORT");
  if (path == NULL) return;
  const int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) return;
  if (write(fd, line, strlen(line)) < 0) {
    /* the test finds the line missing */
  }
  close(fd);
}

static void nap_us(long us) {
  struct timespec t = {us / 1000000, (us % 1000000) * 1000};
  nanosleep(&t, NULL);
}

/* Mapping names already tried, so that each is reported once per process. */
static char tried[16][256];
static int tried_count;

static int seen(const char *name) {
  for (int i = 0; i < tried_count; ++i) {
    if (strcmp(tried[i], name) == 0) return 1;
  }
  if (tried_count < 16) snprintf(tried[tried_count++], sizeof tried[0], "%s", name);
  return 0;
}

static void scribble(unsigned char *at, size_t len, unsigned *seed) {
  /* Every other time in the first page, where a region's bookkeeping is. */
  const size_t span = rand_r(seed) % 2 == 0 && len > 4096 ? 4096 : len;
  const size_t offset = (size_t)rand_r(seed) % span;
  size_t n = 1 + (size_t)rand_r(seed) % 512;
  if (n > len - offset) n = len - offset;
  for (size_t i = 0; i < n; ++i) at[offset + i] = (unsigned char)rand_r(seed);
}

static void attack_once(unsigned *seed) {
  FILE *maps = fopen("/proc/self/maps", "r");
  if (maps == NULL) return;
  char line[512];
  while (fgets(line, sizeof line, maps) != NULL) {
    unsigned long lo = 0, hi = 0;
    char perms[5] = {0};
    if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) != 3 || perms[3] != 's') continue;
    char *name = strchr(line, '/');
    if (name == NULL) name = "(anonymous)";
    name[strcspn(name, "\n")] = '\0';
    int writable = perms[1] == 'w';
    if (!writable) {
      const int made = mprotect((void *)lo, hi - lo, PROT_READ | PROT_WRITE) == 0;
      int mem = 0;
      const int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
      if (fd >= 0) {
        const unsigned char junk = (unsigned char)rand_r(seed);
        const off_t at = (off_t)(lo + (unsigned long)rand_r(seed) % (hi - lo));
        mem = pwrite(fd, &junk, 1, at) == 1;
        close(fd);
      }
      if (!seen(name)) {
        char text[512];
        snprintf(text, sizeof text, "tried %s mprotect=%d mem=%d\n", name, made, mem);
        report(text);
      }
      writable = made;
    }
    if (writable) {
      scribble((unsigned char *)lo, hi - lo, seed);
      char text[512];
      snprintf(text, sizeof text, "scribbled %s\n", name);
      report(text);
    }
  }
  fclose(maps);
}

static void *attack(void *arg) {
  (void)arg;
  unsigned seed = (unsigned)getpid() ^ (unsigned)time(NULL);
  nap_us(20000 + rand_r(&seed) % 200000); /* let it do some honest work first */
  for (;;) {
    attack_once(&seed);
    nap_us(rand_r(&seed) % 3000);
  }
  return NULL;
}

int tasq_worker_start(uint32_t worker_id) {
  if (worker_id != 0) return 0;
  pthread_t thread;
  if (pthread_create(&thread, NULL, attack, NULL) != 0) return 1;
  pthread_detach(thread);
  return 0;
}

int tasq_task(const tasq_task_info *task, tasq_result *result) {
  /* The attacker's tasks are slow, so that it is mostly caught holding one. */
  if (task->worker_id == 0) nap_us(1000);
  const int n = snprintf(result->data, result->capacity, "w%u:", task->worker_id);
  if (n < 0 || (size_t)n + task->payload_len > result->capacity) return 2;
  memcpy(result->data + n, task->payload, task->payload_len);
  result->length = (size_t)n + task->payload_len;
  return 0;
}
