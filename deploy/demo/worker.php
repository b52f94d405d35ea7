<?php
// The compose demo's task handler: the web app's tasks (deploy/demo/index.php
// pushes one per request to the `web` queue) run here, in a PHP pipe:
// co-process of each tasqd worker:
//
//   tasqd ... --handler "pipe:php /srv/tasq-demo/worker.php"
//
// What it prints lands in tasqd's log (`docker compose logs tasqd`); what it
// returns is the task's result.
require getenv('TASQ_PHP_LIBRARY') ?: '/usr/local/share/tasq/php/TasqWorker.php';

// Once per co-process, as a framework's bootstrap would be.
$worker = getenv('TASQ_WORKER_ID');
$handled = 0;

Tasq\Worker::run(function (Tasq\Task $task) use ($worker, &$handled): string {
    $request = json_decode($task->payload, true, 4, JSON_THROW_ON_ERROR);
    $waited_ms = (int)round((microtime(true) - (float)($request['at'] ?? microtime(true))) * 1000);
    ++$handled;
    echo "task {$task->id}: request {$request['uri']} from {$request['client']}, "
        . "queued {$waited_ms} ms ago; task {$handled} of PHP co-process "
        . getmypid() . " (worker {$worker})\n";
    return json_encode(['uri' => $request['uri'], 'handled_by' => getmypid()]);
});
