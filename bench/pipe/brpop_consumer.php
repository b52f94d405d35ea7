#!/usr/bin/env php
<?php
// The redis-server side of the pipe: benchmark in PHP: what a PHP worker
// looks like when Redis is the queue -- a loop of BRPOP with phpredis, the
// same handler body (the payload is the result). The payload STOP ends it:
// it prints the number of tasks it ran and exits 0; 30 s without a task
// ends it with 1.
//
//   brpop_consumer.php PORT QUEUE
$handle = fn (string $payload): string => $payload;
$redis = new Redis();
$redis->connect('127.0.0.1', (int)$argv[1], 5.0);
$redis->setOption(Redis::OPT_READ_TIMEOUT, -1);
$tasks = 0;
$idle = 0;
while (true) {
    $popped = $redis->brPop([$argv[2]], 1);
    if (!$popped) {
        if (++$idle >= 30) exit(1);
        continue;
    }
    $idle = 0;
    if ($popped[1] === 'STOP') break;
    $handle($popped[1]);
    ++$tasks;
}
echo "$tasks\n";  // one write: the consumers share one pipe
