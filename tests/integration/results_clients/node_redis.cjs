// Each stream command of tasq through node-redis (v4).
//
//   node node_redis.cjs PORT NODE_MODULES_DIR
//
// Prints "ok" and exits 0, or prints why and exits 1.
'use strict';
const path = require('path');
const [port, modules] = process.argv.slice(2);
const { createClient, commandOptions } = require(path.join(modules, 'redis'));

function check(ok, what) {
  if (!ok) throw new Error(what);
}

(async () => {
  const client = createClient({ socket: { host: '127.0.0.1', port: Number(port) } });
  client.on('error', (error) => console.error('node-redis:', error.message));
  await client.connect();
  const id = await client.lPush('node', 'hello');
  const key = `tasq:result:${id}`;
  const read = await client.xRead(commandOptions({ isolated: true }), { key, id: '0' },
                                  { BLOCK: 20000 });
  check(read && read[0].name === key, 'XREAD BLOCK answers the result');
  const message = read[0].messages[0];
  check(message.message.status === 'completed' && message.message.result === 'hello', 'entry');
  const range = await client.xRange(key, '-', '+');
  check(range.length === 1 && range[0].id === message.id, 'XRANGE');
  const reverse = await client.xRevRange(key, '+', '-', { COUNT: 1 });
  check(reverse.length === 1 && reverse[0].message.queue === 'node', 'XREVRANGE');
  check((await client.xLen(key)) === 1, 'XLEN');
  const none = await client.xRead(commandOptions({ isolated: true }),
                                  { key: 'tasq:result:999999', id: '0' }, { BLOCK: 100 });
  check(none === null, 'a timeout is null');
  check((await client.xLen('tasq:dead')) === 0, 'XLEN tasq:dead');
  check((await client.del(key)) === 1, 'DEL');
  check((await client.xLen(key)) === 0, 'gone');
  let failed = false;
  try {
    await client.xRead({ key: 'tasq:finished', id: 'nope' });
  } catch (error) {
    failed = /Invalid stream ID/.test(error.message);
  }
  check(failed, 'a bad id fails with Redis\'s error');
  check((await client.ping()) === 'PONG', 'the connection goes on');
  await client.quit();
  console.log('ok');
})().catch((error) => {
  console.error('node-redis:', error.message);
  process.exit(1);
});
