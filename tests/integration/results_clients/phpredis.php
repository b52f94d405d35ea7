<?php
// Each stream command of tasq through phpredis, and Tasq\Client.
//
//   php phpredis.php PORT CLIENTS_DIR
//
// Prints "ok" and exits 0, or prints why and exits 1.

declare(strict_types=1);

[$_, $port, $clients] = $argv;
require $clients . '/TasqClient.php';

function check(bool $ok, string $what): void
{
    if (!$ok) {
        fwrite(STDERR, "phpredis: $what\n");
        exit(1);
    }
}

$r = new Redis();
check($r->connect('127.0.0.1', (int)$port, 5.0), 'connect');

$id = $r->lPush('php', 'hello');
check(is_int($id), 'LPUSH returns the id');
$key = "tasq:result:$id";
$reply = $r->xRead([$key => '0'], -1, 20000);
check(is_array($reply) && isset($reply[$key]), 'XREAD BLOCK answers the result');
$entries = $reply[$key];
$fields = reset($entries);
check($fields['status'] === 'completed' && $fields['result'] === 'hello', 'the entry');
check($fields['queue'] === 'php' && $fields['attempts'] === '1', 'queue and attempts');
check($r->xRange($key, '-', '+') == $entries, 'XRANGE');
check($r->xRevRange($key, '+', '-', 1) == $entries, 'XREVRANGE');
check($r->xLen($key) === 1, 'XLEN');
check($r->xRead(['tasq:result:999999' => '0'], -1, 100) == [], 'a timeout reads as nothing');
check($r->xLen('tasq:dead') === 0, 'XLEN tasq:dead');
check($r->del($key) === 1, 'DEL');
check($r->xLen($key) === 0, 'gone');
$r->clearLastError();
check($r->xRead(['tasq:finished' => 'nope']) === false, 'a bad id fails');
check(str_contains((string)$r->getLastError(), 'Invalid stream ID'), 'with Redis\'s error');
check($r->ping() === true, 'the connection goes on');

// Tasq\Client: push, wait, waitAll (taskWaitMulti), onFinish.
$tasq = new Tasq\Client($r);
$ids = [];
for ($i = 0; $i < 100; $i++) {
    $ids[] = $tasq->push('php', "p$i");
}
$done = $tasq->waitAll($ids, 30.0);
check(count($done) === 100, 'waitAll got all 100');
check($done[$ids[7]]['result'] === 'p7' && $done[$ids[7]]['attempts'] === 1, 'waitAll entries');
check($tasq->wait($ids[0], 1.0)['id'] === $ids[0], 'wait');
check($tasq->wait(987654321, 0.2) === null, 'a wait that times out is null');
// The connection's own read timeout is back as it was: the next replies come.
check($r->ping() === true, 'the connection answers after a wait');
check($tasq->wait($ids[1], 0.0)['id'] === $ids[1], 'a wait of 0 s looks once');
$events = [];
$last = $tasq->onFinish(function (array $event) use (&$events): bool {
    $events[] = $event;
    return false;
}, '0');
check(count($events) === 1 && $events[0]['status'] === 'completed', 'onFinish');
check($last === $events[0]['entry_id'], 'onFinish returns where it stopped');
echo "ok\n";
