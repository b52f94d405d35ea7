<?php
// Swoole's long-lived PHP task workers doing what the pipe: benchmark does:
// a Redis-protocol server whose LPUSH hands each value to a task worker,
// whose task returns it. INFO answers tasks_completed:N (counted in
// onFinish) like tasqd's, so one load generator and one poll serve both.
//
//   php -d extension=/path/to/swoole.so swoole_server.php PORT [TASK_WORKERS]
//
// Swoole's Redis server answers one command per read: measure it at -P 1.
use Swoole\Redis\Server;

$port = (int)($argv[1] ?? 0);
$taskWorkers = (int)($argv[2] ?? 2);
if ($port <= 0 || $taskWorkers <= 0) {
    fwrite(STDERR, "usage: swoole_server.php PORT [TASK_WORKERS]\n");
    exit(2);
}
$completed = new Swoole\Atomic(0);  // shared by every process: made before start()

$server = new Server('127.0.0.1', $port, SWOOLE_BASE);
$server->set([
    'worker_num' => 1,
    'task_worker_num' => $taskWorkers,
    'enable_coroutine' => false,
    'task_enable_coroutine' => false,
    'log_file' => '/dev/null',
]);
$server->setHandler('LPUSH', function (int $fd, array $args) use ($server) {
    if (count($args) < 2) {
        $server->send($fd, Server::format(Server::ERROR, "ERR wrong number of arguments for 'lpush' command"));
        return;
    }
    $id = 0;
    foreach (array_slice($args, 1) as $payload) {
        $id = $server->task($payload);
        if ($id === false) {
            $server->send($fd, Server::format(Server::ERROR, 'ERR task dispatch failed'));
            return;
        }
    }
    $server->send($fd, Server::format(Server::INT, $id));
});
$server->setHandler('INFO', function (int $fd, array $args) use ($server, $completed) {
    $server->send($fd, Server::format(Server::STRING, "# Tasks\r\ntasks_completed:" . $completed->get() . "\r\n"));
});
$server->setHandler('PING', fn (int $fd, array $args) => $server->send($fd, Server::format(Server::STATUS, 'PONG')));
$server->setHandler('CONFIG', fn (int $fd, array $args) => $server->send($fd, Server::format(Server::SET, [])));
$server->on('Task', fn (Server $server, int $taskId, int $workerId, $payload) => $payload);
$server->on('Finish', function (Server $server, int $taskId, $result) use ($completed) {
    $completed->add(1);
});
$server->start();
