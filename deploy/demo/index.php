<?php
// The web producer of the compose demo: every request to nginx reaches this
// script through PHP-FPM, which runs clients/examples/push.php -- the PHP
// example, unchanged -- to push one task and answers with its id.
//
// Environment (set in docker-compose.yml): TASQ_HOST (default tasqd),
// TASQ_PORT (6380), TASQ_QUEUE (web). Point TASQ_HOST at twemproxy to push
// through the proxy.

// push.php is a command-line script: it reports failures on STDERR and
// exits, and prints the task id. Under PHP-FPM there is no STDERR constant,
// so give it one (FPM sends it to its log, hence to `docker compose logs`),
// and read its output from a buffer when it is done, however it ended.
if (!defined('STDERR')) {
    define('STDERR', fopen('php://stderr', 'w'));
}

$payload = json_encode([
    'uri' => $_SERVER['REQUEST_URI'] ?? '/',
    'client' => $_SERVER['REMOTE_ADDR'] ?? 'cli',
    'at' => microtime(true),
]);
$argv = [
    'push.php',
    getenv('TASQ_HOST') ?: 'tasqd',
    getenv('TASQ_PORT') ?: '6380',
    getenv('TASQ_QUEUE') ?: 'web',
    $payload,
];

ob_start();
register_shutdown_function(function (): void {
    $id = trim((string)ob_get_clean());
    header('Content-Type: text/plain');
    if (ctype_digit($id)) {
        echo "queued task $id\n";
    } else {
        http_response_code(503);
        echo "tasq did not take the task\n";
    }
});
try {
    require __DIR__ . '/push.php';
} catch (Throwable $e) {
    // phpredis throws when it cannot connect; push.php lets it through.
    fwrite(STDERR, 'push.php: ' . $e->getMessage() . "\n");
}
