/* bench_blocked: what clients blocked in XREAD BLOCK cost tasqd while they
 * wait -- memory, and CPU (which must be none: nothing polls them).
 *
 *   bench_blocked --port P --pid TASQD_PID [--clients N] [--seconds S]
 *
 * Opens N connections and measures tasqd's private RSS (RssAnon) and CPU
 * time: first with every connection idle after one PING, then with every one
 * blocked in XREAD BLOCK 0 on a task id that never ends, over S seconds of
 * waiting; then closes them all and checks that blocked_clients falls to 0.
 * Prints one line per figure. Raises its own RLIMIT_NOFILE; tasqd needs
 * max_connections above N and a descriptor limit to match. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_util.h"

static const char program[] = "bench_blocked";

/* RssAnon of `pid` in kB. */
static long rss_anon_kb(int pid) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  FILE *f = fopen(path, "r");
  if (f == NULL) bench_die(program, "open %s: %s", path, strerror(errno));
  long kb = -1;
  while (fgets(line, sizeof line, f) != NULL) {
    if (strncmp(line, "RssAnon:", 8) == 0) kb = strtol(line + 8, NULL, 10);
  }
  fclose(f);
  return kb;
}

/* utime + stime of `pid`, in clock ticks. */
static long long cpu_ticks(int pid) {
  char path[64], buffer[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE *f = fopen(path, "r");
  if (f == NULL || fgets(buffer, sizeof buffer, f) == NULL) bench_die(program, "read %s", path);
  fclose(f);
  const char *at = strrchr(buffer, ')');
  unsigned long long utime = 0, stime = 0;
  /* After "pid (comm)": state is field 3, utime 14, stime 15. */
  if (at == NULL || sscanf(at + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
                           &stime) != 2) {
    bench_die(program, "unreadable %s", path);
  }
  return (long long)(utime + stime);
}

static int connect_one(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) bench_die(program, "socket: %s", strerror(errno));
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    bench_die(program, "connect: %s", strerror(errno));
  }
  return fd;
}

static void send_all(int fd, const char *bytes, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, bytes, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) bench_die(program, "write: %s", strerror(errno));
    bytes += n;
    len -= (size_t)n;
  }
}

static void expect_reply(int fd, const char *expected) {
  char buffer[64];
  size_t want = strlen(expected), got = 0;
  while (got < want) {
    ssize_t n = read(fd, buffer + got, want - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) bench_die(program, "read: %s", n < 0 ? strerror(errno) : "closed");
    got += (size_t)n;
  }
  if (memcmp(buffer, expected, want) != 0) bench_die(program, "unexpected reply");
}

/* Polls INFO until `field` equals `value`, for at most 60 s. */
static void wait_field(redisContext *c, const char *field, long long value) {
  for (int i = 0; i < 6000; ++i) {
    if (bench_info_field(program, c, "clients", field) == value) return;
    usleep(10000);
  }
  bench_die(program, "%s did not reach %lld", field, value);
}

int main(int argc, char **argv) {
  int port = 0, pid = 0, clients = 10000, seconds = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--port") == 0)
      port = atoi(argv[i + 1]);
    else if (strcmp(argv[i], "--pid") == 0)
      pid = atoi(argv[i + 1]);
    else if (strcmp(argv[i], "--clients") == 0)
      clients = atoi(argv[i + 1]);
    else if (strcmp(argv[i], "--seconds") == 0)
      seconds = atoi(argv[i + 1]);
    else
      bench_die(program, "unknown option %s", argv[i]);
  }
  if (port <= 0 || pid <= 0 || clients <= 0 || seconds <= 0) {
    bench_die(program, "usage: --port P --pid TASQD_PID [--clients N] [--seconds S]");
  }
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) bench_die(program, "getrlimit: %s", strerror(errno));
  if (limit.rlim_cur < (rlim_t)clients + 64) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur < (rlim_t)clients + 64) {
      bench_die(program, "RLIMIT_NOFILE %llu is too low for %d clients",
                (unsigned long long)limit.rlim_cur, clients);
    }
  }
  redisContext *info = bench_connect(program, port);
  const long hz = sysconf(_SC_CLK_TCK);
  int *fds = calloc((size_t)clients, sizeof *fds);
  if (fds == NULL) bench_die(program, "out of memory");

  const long rss0 = rss_anon_kb(pid);
  for (int i = 0; i < clients; ++i) {
    fds[i] = connect_one(port);
    send_all(fds[i], "PING\r\n", 6);
    expect_reply(fds[i], "+PONG\r\n");
  }
  sleep(1);
  const long rss_idle = rss_anon_kb(pid);
  printf("idle connections %d: +%ld KiB private RSS, %.0f B each\n", clients, rss_idle - rss0,
         (double)(rss_idle - rss0) * 1024 / clients);

  char command[128];
  for (int i = 0; i < clients; ++i) {
    /* Ids far above any the server has handed out: these tasks never end. */
    int n = snprintf(command, sizeof command, "XREAD BLOCK 0 STREAMS tasq:result:%d 0\r\n",
                     1000000000 + i);
    send_all(fds[i], command, (size_t)n);
  }
  wait_field(info, "blocked_clients", clients);
  sleep(1);
  const long rss_blocked = rss_anon_kb(pid);
  printf("blocked clients %d: +%ld KiB private RSS over the idle connections, %.0f B each\n",
         clients, rss_blocked - rss_idle, (double)(rss_blocked - rss_idle) * 1024 / clients);

  const long long ticks0 = cpu_ticks(pid);
  sleep((unsigned)seconds);
  const long long ticks1 = cpu_ticks(pid);
  printf("blocked clients %d waiting %d s: tasqd used %.0f ms of CPU (%.3f%% of one core)\n",
         clients, seconds, (double)(ticks1 - ticks0) * 1000 / (double)hz,
         (double)(ticks1 - ticks0) * 100 / (double)hz / seconds);

  for (int i = 0; i < clients; ++i) close(fds[i]);
  wait_field(info, "blocked_clients", 0);
  wait_field(info, "connected_clients", 1);
  sleep(1);
  printf("all closed: blocked_clients 0, private RSS %+ld KiB against the start\n",
         rss_anon_kb(pid) - rss0);
  free(fds);
  redisFree(info);
  return 0;
}
