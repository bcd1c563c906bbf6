/**
 * The targets of `bench/loadgen.ts`, run in a child process of their own (so the generator and
 * the target each have their own event loop, as with a real service):
 *   cpu   — every request burns a fixed amount of CPU (the target, not the client, is the bottleneck);
 *   stall — answers at once, except that for 1 s out of every 10 s it answers nothing: requests
 *           that arrive in a stall are answered when the stall ends (a GC pause, a lock, a failover).
 * Usage: `loadgen-target cpu BURN_MS` or `loadgen-target stall EVERY_MS STALL_MS`. Prints `PORT <n>` on stdout when listening.
 */
import { createServer } from 'node:http';

const [mode, first, second] = process.argv.slice(2);
const CPU_BURN_MS = Number(first ?? 0.5);
const STALL_EVERY_MS = Number(first ?? 10_000);
const STALL_MS = Number(second ?? 1000);

const started = performance.now();

function burn(ms: number): void {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
}

/** How long a request arriving now waits for the current stall to end (0 outside a stall). */
function stallWait(): number {
  const inCycle = (performance.now() - started) % STALL_EVERY_MS;
  return inCycle < STALL_MS ? STALL_MS - inCycle : 0;
}

const server = createServer((_req, res) => {
  const answer = () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  if (mode === 'cpu') {
    burn(CPU_BURN_MS);
    answer();
  } else {
    const wait = stallWait();
    if (wait > 0) setTimeout(answer, wait);
    else answer();
  }
});
server.keepAliveTimeout = 60_000;
if (mode !== 'cpu' && mode !== 'stall') {
  console.error('usage: loadgen-target cpu|stall');
  process.exit(2);
}
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') process.stdout.write(`PORT ${address.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
