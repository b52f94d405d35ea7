<?php
// Push tasks to tasq from PHP with phpredis -- the PHP-FPM case: enqueue the
// slow work and carry on serving the request.
//
//   php push.php HOST PORT QUEUE PAYLOAD [PAYLOAD ...]
//
// Prints each task id on its own line.

[$script, $host, $port, $queue] = array_slice($argv, 0, 4) + [null, '127.0.0.1', 6380, 'default'];
$payloads = array_slice($argv, 4);

$redis = new Redis();
try {
    // A short timeout: a request must not hang on a queue that is down.
    $redis->connect($host, (int)$port, 1.0);
    foreach ($payloads as $payload) {
        $id = $redis->lPush($queue, $payload);  // the task id, not a list length
        if ($id === false) {
            fwrite(STDERR, "push refused: " . $redis->getLastError() . "\n");
            exit(1);
        }
        echo $id, "\n";
    }
} catch (RedisException $e) {
    // phpredis throws when the server is unreachable or the connection drops.
    fwrite(STDERR, "cannot push to tasq at $host:$port: " . $e->getMessage() . "\n");
    exit(1);
}
// ... and the web request goes on here while the workers run the tasks.
