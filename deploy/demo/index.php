<?php
// The web producer of the compose demo: every request to nginx reaches this
// script through PHP-FPM, which pushes one task with Tasq\Client (phpredis)
// and waits for its outcome -- Swoole's taskwait from a PHP-FPM request --
// then answers with the task id and what the task returned.
//
// Environment (set in docker-compose.yml): TASQ_HOST (default tasqd),
// TASQ_PORT (6380), TASQ_QUEUE (web), TASQ_WAIT (seconds, default 2). With
// TASQ_HOST pointing at twemproxy the push still works, but the wait cannot
// (a result lives on the shard that ran the task): the page then only
// queues.

require __DIR__ . '/TasqClient.php';

header('Content-Type: text/plain');
$payload = json_encode([
    'uri' => $_SERVER['REQUEST_URI'] ?? '/',
    'client' => $_SERVER['REMOTE_ADDR'] ?? 'cli',
    'at' => microtime(true),
]);
$host = getenv('TASQ_HOST') ?: 'tasqd';
$port = (int)(getenv('TASQ_PORT') ?: '6380');
$queue = getenv('TASQ_QUEUE') ?: 'web';
$wait = (float)(getenv('TASQ_WAIT') ?: '2');

try {
    $tasq = Tasq\Client::connect($host, $port);
    $id = $tasq->push($queue, $payload);
} catch (Throwable $e) {
    error_log("tasq demo: push to $host:$port failed: " . $e->getMessage());
    http_response_code(503);
    echo "tasq did not take the task\n";
    return;
}
echo "queued task $id\n";
try {
    $entry = $tasq->wait($id, $wait);
} catch (Throwable $e) {
    // Through twemproxy (XREAD is not passed on) or a tasqd gone meanwhile.
    error_log("tasq demo: waiting for task $id: " . $e->getMessage());
    echo "its result cannot be read from here\n";
    return;
}
if ($entry === null) {
    echo "no result within {$wait} s\n";
} elseif ($entry['status'] === 'completed') {
    echo "completed in " . ($entry['ended_ms'] - $entry['enqueued_ms']) . " ms: {$entry['result']}\n";
} else {
    echo "dead after {$entry['attempts']} attempt(s): {$entry['error']}\n";
}
