<?php
// Tasq\Client: push a task and get its outcome back, over phpredis — Swoole's
// task(), taskwait(), taskWaitMulti() and onFinish for PHP-FPM and any other
// PHP process that can reach tasqd.
//
//   require '/usr/local/share/tasq/TasqClient.php';
//   $tasq = Tasq\Client::connect('127.0.0.1', 6380);
//   $id = $tasq->push('thumbnails', json_encode(['src' => $path]));
//   $entry = $tasq->wait($id, 2.0);          // null on timeout
//   if ($entry !== null && $entry['status'] === 'completed') echo $entry['result'];
//
// An entry is the task's result stream entry (tasq:result:<ID>) as an array:
// status ('completed' or 'dead'), result, error (dead only), attempts, queue,
// enqueued_ms, started_ms, ended_ms (integers), plus id (the task id) and
// entry_id (the stream entry's id). Results are kept by tasqd for
// result_ttl seconds after the task ends, so a wait that starts late still
// finds them.
//
// Behind twemproxy a result lives on the tasqd that ran the task: give this
// class a direct connection to that shard (see the README).
//
// One file, phpredis and the standard library only.

declare(strict_types=1);

namespace Tasq;

final class Client
{
    /** Longest single XREAD BLOCK of onFinish(), so that the loop can be interrupted. */
    private const FINISH_BLOCK_MS = 5000;

    private \Redis $redis;

    /** @param \Redis $redis a connected phpredis client (AUTH done if needed) */
    public function __construct(\Redis $redis)
    {
        $this->redis = $redis;
    }

    /** Connects a new phpredis client to tasqd; throws \RedisException on failure. */
    public static function connect(string $host = '127.0.0.1', int $port = 6380,
                                   float $timeout = 2.0, ?string $password = null): self
    {
        $redis = new \Redis();
        if (!$redis->connect($host, $port, $timeout)) {
            throw new \RedisException("cannot connect to tasqd at $host:$port");
        }
        if ($password !== null && !$redis->auth($password)) {
            throw new \RedisException('tasqd refused the password');
        }
        return new self($redis);
    }

    public function redis(): \Redis
    {
        return $this->redis;
    }

    /** Enqueues one task; returns its id. Throws \RedisException when tasqd refuses it. */
    public function push(string $queue, string $payload): int
    {
        $id = $this->redis->lPush($queue, $payload);
        if (!is_int($id)) {
            throw new \RedisException('tasqd did not take the task: ' . ($this->redis->getLastError() ?? 'no reply'));
        }
        return $id;
    }

    /**
     * Waits up to $timeout seconds for task $id to end (completed or dead) and
     * returns its entry, or null when it has not ended by then. A task that
     * ended before the call is answered at once.
     */
    public function wait(int $id, float $timeout): ?array
    {
        $entries = $this->waitAll([$id], $timeout);
        return $entries[$id] ?? null;
    }

    /**
     * taskWaitMulti: waits up to $timeout seconds in all for the tasks of
     * $ids and returns [id => entry] for those that ended; the others are
     * missing from the array.
     *
     * @param int[] $ids
     * @return array<int, array>
     */
    public function waitAll(array $ids, float $timeout): array
    {
        $pending = [];
        foreach ($ids as $id) {
            $pending['tasq:result:' . (int)$id] = (int)$id;
        }
        $done = [];
        $deadline = microtime(true) + max(0.0, $timeout);
        while ($pending !== []) {
            $left = (int)ceil(($deadline - microtime(true)) * 1000);
            if ($left <= 0) {
                // Past the deadline: one last look without waiting.
                $reply = $this->read(array_fill_keys(array_keys($pending), '0'), null);
            } else {
                $reply = $this->read(array_fill_keys(array_keys($pending), '0'), $left);
            }
            foreach ($reply as $key => $entries) {
                foreach ($entries as $entryId => $fields) {
                    $done[$pending[$key]] = self::entry($pending[$key], (string)$entryId, $fields);
                }
                unset($pending[$key]);
            }
            if ($left <= 0) {
                break;
            }
        }
        return $done;
    }

    /**
     * onFinish: calls $callback(array $event) for every task end from now
     * on (or after stream id $after), where $event has id (the task id),
     * queue, status, error (dead only) and entry_id. Returns when the
     * callback returns false; returns the last entry id seen, to start from
     * next time without missing an event.
     */
    public function onFinish(callable $callback, string $after = '$'): string
    {
        $last = $after;
        while (true) {
            $reply = $this->read(['tasq:finished' => $last], self::FINISH_BLOCK_MS);
            foreach ($reply['tasq:finished'] ?? [] as $entryId => $fields) {
                $last = (string)$entryId;
                $event = $fields;
                $event['id'] = (int)$fields['id'];
                $event['entry_id'] = $last;
                if ($callback($event) === false) {
                    return $last;
                }
            }
        }
    }

    /** XREAD [BLOCK ms] STREAMS ...; [] when nothing came. */
    private function read(array $streams, ?int $blockMs): array
    {
        $this->redis->clearLastError();
        if ($blockMs === null) {
            $reply = $this->redis->xRead($streams);
        } else {
            // phpredis gives up on a reply after its read timeout: keep it
            // longer than the block for this one call.
            $saved = (float)$this->redis->getOption(\Redis::OPT_READ_TIMEOUT);
            $this->redis->setOption(\Redis::OPT_READ_TIMEOUT, (string)($blockMs / 1000 + 5));
            try {
                $reply = $this->redis->xRead($streams, -1, $blockMs);
            } finally {
                // 0 is phpredis's "none given": the connection then waits
                // default_socket_timeout. Set back as 0 it would mean "do not
                // wait at all", and the connection's next reply would fail.
                $restore = $saved != 0.0 ? $saved : (float)ini_get('default_socket_timeout');
                $this->redis->setOption(\Redis::OPT_READ_TIMEOUT, (string)$restore);
            }
        }
        if ($reply === false) {
            $error = $this->redis->getLastError();
            if ($error !== null) {
                throw new \RedisException("XREAD failed: $error");
            }
            return [];
        }
        return $reply;
    }

    private static function entry(int $id, string $entryId, array $fields): array
    {
        foreach (['attempts', 'enqueued_ms', 'started_ms', 'ended_ms'] as $number) {
            if (isset($fields[$number])) {
                $fields[$number] = (int)$fields[$number];
            }
        }
        $fields['id'] = $id;
        $fields['entry_id'] = $entryId;
        return $fields;
    }
}
