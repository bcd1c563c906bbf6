import { parentPort, workerData } from 'node:worker_threads';
import { type LoadSpec, sendLoad } from './load-sender.js';

/** A worker thread's entry: sends its share of the load and posts back progress and the result. */
const port = parentPort;
if (!port) throw new Error('load-worker runs as a worker thread only');
const abort = new AbortController();
port.on('message', (message: unknown) => {
  if (message === 'stop') abort.abort();
});
const result = await sendLoad(workerData as LoadSpec, abort.signal, (progress) => port.postMessage({ type: 'progress', progress }));
const transfer = [result.lateness.buffer, ...Object.values(result.perKind).flatMap((d) => [d.latencies.buffer, d.fromSend.buffer])];
port.postMessage({ type: 'done', result }, transfer as ArrayBuffer[]);
port.close();
