/* Push tasks to tasq from C with hiredis.
 *
 *   ./push_example HOST PORT QUEUE PAYLOAD [PAYLOAD ...]
 *
 * Prints each task id on its own line. Pushes are pipelined: all commands
 * go out first, then the replies are read in order. */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: %s HOST PORT QUEUE PAYLOAD [PAYLOAD ...]\n", argv[0]);
    return 2;
  }
  struct timeval timeout = {5, 0};
  redisContext *c = redisConnectWithTimeout(argv[1], atoi(argv[2]), timeout);
  if (c == NULL || c->err) {
    fprintf(stderr, "cannot connect: %s\n", c ? c->errstr : "out of memory");
    return 1;
  }
  for (int i = 4; i < argc; i++) {
    redisAppendCommand(c, "LPUSH %s %b", argv[3], argv[i], strlen(argv[i]));
  }
  int status = 0;
  for (int i = 4; i < argc; i++) {
    redisReply *reply = NULL;
    if (redisGetReply(c, (void **)&reply) != REDIS_OK) {
      fprintf(stderr, "connection lost: %s\n", c->errstr);
      status = 1;
      break;
    }
    if (reply->type == REDIS_REPLY_INTEGER) {
      printf("%lld\n", reply->integer);
    } else {
      fprintf(stderr, "push refused: %s\n", reply->str ? reply->str : "?");
      status = 1;
    }
    freeReplyObject(reply);
  }
  redisFree(c);
  return status;
}
