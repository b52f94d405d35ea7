<?php
// A tasq pipe: worker in PHP: upper-cases each payload.
//
//   tasqd --handler "pipe:php /usr/local/share/tasq/php/examples/worker.php"
//   redis-cli -p 6380 LPUSH emails hello       # its result is HELLO
//
// What comes before Worker::run() is done once per co-process: put your
// autoloader and your framework's bootstrap there, not in the handler.
require __DIR__ . '/../TasqWorker.php';

$started = date('c');  // stands for a bootstrap: runs once, not once per task

Tasq\Worker::run(function (Tasq\Task $task) use ($started): string {
    if ($task->payload === '') {
        // Any Throwable fails this attempt; tasqd retries it (task_retry).
        throw new InvalidArgumentException("task {$task->id}: nothing to upper-case");
    }
    return strtoupper($task->payload);
});
