import { parentPort, workerData } from 'node:worker_threads';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ForwardedResponse, FromFront, FrontStart, ToFront } from './front-protocol.js';
import { FrontVersions } from './front-versions.js';
import { registerHotRoutes } from './hot-routes.js';
import { hardenedFastify, markScrubbed } from './http-hardening.js';

// The API front thread (see `api-front.ts`): owns the listening socket, answers the hot routes
// from the views the daemon's thread posts after each evaluation, and passes every other request
// to the daemon's thread as it came. Its heap holds the views and the sockets only, so the
// daemon's garbage collection and long tasks do not hold a hot answer (the two threads still
// share the machine's cores).

const port = parentPort!;
const start = workerData as FrontStart;
const post = (message: FromFront) => port.postMessage(message);

/** Hop-by-hop headers describe the daemon's in-memory exchange, not this connection. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);

const versions = new FrontVersions();
const waiting = new Map<number, (response: ForwardedResponse) => void>();
let nextId = 0;

const app = hardenedFastify({ limits: start.limits });
// The body goes to the daemon's thread as bytes; its own parsers and limits judge it there.
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

async function forward(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const id = nextId++;
  const answered = new Promise<ForwardedResponse>((resolve) => waiting.set(id, resolve));
  post({
    type: 'request',
    id,
    method: req.method,
    url: req.url,
    headers: req.headers,
    body: Buffer.isBuffer(req.body) ? req.body : undefined,
    remoteAddress: req.socket.remoteAddress,
  });
  const res = await answered;
  for (const [name, value] of Object.entries(res.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) reply.header(name, value);
  return reply.code(res.status).send(markScrubbed(Buffer.from(res.body.buffer, res.body.byteOffset, res.body.byteLength)));
}

registerHotRoutes(app, { views: () => versions.get(), fanOut: forward });
app.setNotFoundHandler(forward);

port.on('message', (message: ToFront) => {
  if (message.type === 'response') {
    const resolve = waiting.get(message.id);
    waiting.delete(message.id);
    resolve?.(message);
  } else if (message.type === 'close') {
    // Stops accepting, ends idle keep-alive sockets, lets requests in progress finish, then ends
    // the thread (in a worker, `process.exit` ends the thread only; waiting for its loop to empty
    // took up to a second, a share of the 2 s a stop has).
    void app.close().then(() => process.exit(0));
  } else versions.receive(message);
});

try {
  const url = await app.listen({ host: start.host, port: start.port });
  const address = app.server.address();
  post({ type: 'listening', address: url, port: typeof address === 'object' && address ? address.port : start.port });
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  post({ type: 'listen-failed', code: e.code, message: e.message });
  port.close();
}
