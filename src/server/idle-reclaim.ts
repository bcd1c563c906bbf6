import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** Share of the connection cap at which idle keep-alive sockets start being closed. */
export const RECLAIM_AT_SHARE = 0.75;

/**
 * Keeps room under the connection cap for clients that are asking something now.
 *
 * An open status page polls on its keep-alive socket once per evaluation interval, which with
 * the defaults (5 s) is never longer than the keep-alive timeout: a socket per open page stays
 * open for as long as the page does. A thousand pages would hold a thousand idle sockets and
 * every new client (an SRE's curl, Prometheus scraping /metrics) would be closed at accept.
 * When the open count reaches `RECLAIM_AT_SHARE` of the cap, the sockets that have been served
 * and wait idle for their next request are closed; a page opens a new one on its next poll. A
 * socket with a request in progress, or a new one that has not yet sent its request, is kept.
 */
export function reclaimIdleSocketsNearCap(server: Server, maxConnections: number): void {
  const reclaimAt = Math.max(1, Math.floor(maxConnections * RECLAIM_AT_SHARE));
  const inFlight = new WeakMap<Socket, number>();
  const idleKeepAlive = new Set<Socket>();
  let open = 0;

  server.on('connection', (socket: Socket) => {
    open += 1;
    socket.once('close', () => {
      open -= 1;
      idleKeepAlive.delete(socket);
    });
    if (open >= reclaimAt) for (const idle of idleKeepAlive) idle.destroy();
  });
  server.on('request', (req, res) => {
    const socket = req.socket;
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
    idleKeepAlive.delete(socket);
    res.once('close', () => {
      const left = (inFlight.get(socket) ?? 1) - 1;
      inFlight.set(socket, left);
      if (left === 0 && !socket.destroyed) idleKeepAlive.add(socket);
    });
  });
}
