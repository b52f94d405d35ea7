<?php
// push_keys.php: the phpredis producer of the twemproxy test; the same
// interface and output as push_keys (hiredis).
//
//   php push_keys.php HOST PORT PREFIX COUNT TAG
//
// Pushes `LPUSH PREFIX<i> TAG:PREFIX<i>` for i in [0, COUNT), one request at
// a time as a PHP-FPM request would, and prints `QUEUE ID` per reply.
// Exits 1 on any refusal.

if ($argc !== 6) {
    fwrite(STDERR, "usage: php push_keys.php HOST PORT PREFIX COUNT TAG\n");
    exit(2);
}
[, $host, $port, $prefix, $count, $tag] = $argv;

$redis = new Redis();
try {
    $redis->connect($host, (int)$port, 5.0);
    // A proxy that stops answering fails the run instead of hanging it.
    $redis->setOption(Redis::OPT_READ_TIMEOUT, 10.0);
    for ($i = 0; $i < (int)$count; $i++) {
        $queue = $prefix . $i;
        $id = $redis->lPush($queue, "$tag:$queue");
        if (!is_int($id)) {
            fwrite(STDERR, "push_keys.php: push $i refused: " . $redis->getLastError() . "\n");
            exit(1);
        }
        echo "$queue $id\n";
    }
} catch (RedisException $e) {
    fwrite(STDERR, "push_keys.php: " . $e->getMessage() . "\n");
    exit(1);
}
