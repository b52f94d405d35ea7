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
// A short timeout: a request must not hang on a queue that is down.
if (!$redis->connect($host, (int)$port, 1.0)) {
    fwrite(STDERR, "cannot connect to tasq at $host:$port\n");
    exit(1);
}
foreach ($payloads as $payload) {
    $id = $redis->lPush($queue, $payload);  // the task id, not a list length
    if ($id === false) {
        fwrite(STDERR, "push refused: " . $redis->getLastError() . "\n");
        exit(1);
    }
    echo $id, "\n";
}
// ... and the web request goes on here while the workers run the tasks.
