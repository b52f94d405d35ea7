<?php
/**
 * Handlers for tasq in PHP: a worker for tasqd's `pipe:` handler.
 *
 * tasqd starts your script once per task worker (`handler pipe:php
 * worker.php`) and sends it tasks one at a time over the worker protocol
 * (version 1): frames in on fd 3, answers out on fd 4. Everything before
 * Worker::run() -- the autoloader, a framework's bootstrap, a database
 * connection -- is done once per co-process, not once per task:
 *
 *     require '/usr/local/share/tasq/php/TasqWorker.php';
 *     Tasq\Worker::run(function (Tasq\Task $task): string {
 *         return strtoupper($task->payload);   // the result; throw to fail this attempt
 *     });
 *
 * The handler's return value is the task's result (a string; null is an
 * empty result, a number or a Stringable is cast). A Throwable fails the
 * attempt with its class and message, and tasqd retries it up to task_retry
 * times. A fatal error (memory limit, undefined function) ends the
 * co-process: tasqd logs PHP's message, fails the attempt, retries it and
 * starts a fresh co-process. echo, print and var_dump go to tasqd's log,
 * line by line. PHP 8.2's CLI, no extension. docs/worker-protocol.md in
 * tasq's sources describes the frames.
 */

declare(strict_types=1);

namespace Tasq;

/** One task: what was pushed, and where. */
final class Task
{
    public function __construct(
        /** tasqd's id for the task, as LPUSH answered it. */
        public readonly int $id,
        /** The queue (the key of the LPUSH). */
        public readonly string $queue,
        /** The payload, byte for byte. */
        public readonly string $payload,
        /** 1 for the first attempt, 2 for the first retry, ... */
        public readonly int $attempt,
    ) {
    }
}

/** tasqd sent something this library does not understand. */
final class ProtocolError extends \RuntimeException
{
}

final class Worker
{
    public const PROTOCOL = 1;

    private const TASK = 1;
    private const DONE = 2;
    private const FAIL = 3;
    private const READY = 4;
    private const STOP = 5;
    private const HEADER_BYTES = 24;

    /** @var resource */
    private $in;
    /** @var resource */
    private $out;
    private string $buffer = '';

    /**
     * Runs tasks through $handler until tasqd says STOP or goes away, then
     * returns (let the script end: exit code 0). Call it once, after the
     * set-up that every task shares.
     *
     * @param callable(Task): (string|int|float|\Stringable|null) $handler
     */
    public static function run(callable $handler): void
    {
        (new self())->loop($handler);
    }

    private function __construct()
    {
        if (getenv('TASQ_PROTOCOL') !== (string)self::PROTOCOL) {
            fwrite(STDERR, sprintf(
                "Tasq\\Worker: this script is a tasq pipe: worker; run it from tasqd, as in "
                . "`tasqd --handler 'pipe:php %s'` (TASQ_PROTOCOL is not %d)\n",
                $_SERVER['argv'][0] ?? 'worker.php',
                self::PROTOCOL
            ));
            exit(2);
        }
        $in = @fopen('php://fd/3', 'rb');
        $out = @fopen('php://fd/4', 'wb');
        if ($in === false || $out === false) {
            fwrite(STDERR, "Tasq\\Worker: fd 3 or fd 4 is not open; run this script from tasqd\n");
            exit(2);
        }
        // Frames go out whole, at once; PHP must not hold them back.
        stream_set_write_buffer($out, 0);
        $this->in = $in;
        $this->out = $out;
        // Errors to stderr, which tasqd logs and quotes when an attempt fails.
        if (filter_var(ini_get('display_errors'), FILTER_VALIDATE_BOOLEAN)) {
            ini_set('display_errors', 'stderr');
        }
    }

    private function loop(callable $handler): void
    {
        $this->send(self::READY, 0, '', '');
        while (true) {
            $header = $this->read(self::HEADER_BYTES);
            if ($header === null) {
                return; // tasqd closed fd 3: the worker is gone
            }
            $h = unpack('a2magic/Cversion/Ctype/Jid/Nattempt/Nlen1/Nlen2', $header);
            if ($h['magic'] !== 'TQ' || $h['version'] !== self::PROTOCOL) {
                throw new ProtocolError('not a version ' . self::PROTOCOL . ' frame from tasqd');
            }
            $body = $h['len1'] + $h['len2'] > 0 ? $this->read($h['len1'] + $h['len2']) : '';
            if ($body === null) {
                throw new ProtocolError('EOF inside a frame from tasqd');
            }
            if ($h['type'] === self::STOP) {
                return;
            }
            if ($h['type'] !== self::TASK) {
                throw new ProtocolError('unexpected frame type ' . $h['type'] . ' from tasqd');
            }
            $task = new Task($h['id'], substr($body, 0, $h['len1']), substr($body, $h['len1']), $h['attempt']);
            try {
                $result = self::result($handler($task));
            } catch (\Throwable $e) {
                fwrite(STDERR, sprintf(
                    "task %d failed: %s: %s at %s:%d\n",
                    $task->id,
                    get_class($e),
                    $e->getMessage(),
                    $e->getFile(),
                    $e->getLine()
                ));
                $this->send(self::FAIL, $task->id, get_class($e), $e->getMessage());
                continue;
            }
            $this->send(self::DONE, $task->id, '', $result);
        }
    }

    private static function result(mixed $value): string
    {
        if (is_string($value)) {
            return $value;
        }
        if ($value === null) {
            return '';
        }
        if (is_int($value) || is_float($value) || $value instanceof \Stringable) {
            return (string)$value;
        }
        throw new \TypeError('the handler returned ' . get_debug_type($value)
            . '; return a string (json_encode() an array)');
    }

    /** Exactly $n bytes from fd 3; null at EOF before the first of them. */
    private function read(int $n): ?string
    {
        while (strlen($this->buffer) < $n) {
            $chunk = fread($this->in, max(65536, $n - strlen($this->buffer)));
            if ($chunk === false || $chunk === '') {
                if (feof($this->in)) {
                    if ($this->buffer !== '') {
                        throw new ProtocolError('EOF inside a frame from tasqd');
                    }
                    return null;
                }
                continue;
            }
            $this->buffer .= $chunk;
        }
        $bytes = substr($this->buffer, 0, $n);
        $this->buffer = (string)substr($this->buffer, $n);
        return $bytes;
    }

    private function send(int $type, int $id, string $part1, string $part2): void
    {
        $frame = pack('a2CCJNNN', 'TQ', self::PROTOCOL, $type, $id, 0, strlen($part1), strlen($part2))
            . $part1 . $part2;
        while ($frame !== '') {
            $written = fwrite($this->out, $frame);
            if ($written === false || $written === 0) {
                exit(1); // tasqd is gone
            }
            $frame = substr($frame, $written);
        }
    }
}
