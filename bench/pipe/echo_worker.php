<?php
// pipe: benchmark handler: the PHP library, returning each payload as its result.
require __DIR__ . '/../../clients/php/TasqWorker.php';
Tasq\Worker::run(fn (Tasq\Task $task): string => $task->payload);
