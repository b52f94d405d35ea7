<?php
// exec: benchmark handler with the same body: the payload (stdin) is the result (stdout).
echo stream_get_contents(STDIN);
