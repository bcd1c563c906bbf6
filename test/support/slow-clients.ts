import { connect, type Socket } from 'node:net';

/** One slow client: what the server did to it. */
export interface SlowClient {
  readonly socket: Socket;
  /** The status line the server answered with, if any. */
  status: string | null;
  closedAt: number | null;
}

/**
 * Opens `count` connections that each send a POST's headers announcing `contentLength` bytes,
 * then trickle one byte every `everyMs` (a slow-body client: always active, never done). Stops
 * writing once the server answers or closes. Loopback only.
 */
export function slowBodyClients(
  port: number,
  count: number,
  options: { path: string; contentLength: number; everyMs: number },
): SlowClient[] {
  const clients: SlowClient[] = [];
  for (let i = 0; i < count; i++) {
    const socket = connect({ host: '127.0.0.1', port });
    const client: SlowClient = { socket, status: null, closedAt: null };
    let timer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      socket.write(
        `POST ${options.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${options.contentLength}\r\n\r\n`,
      );
      timer = setInterval(() => {
        if (socket.writable) socket.write('x');
      }, options.everyMs);
    });
    socket.on('data', (chunk: Buffer) => {
      client.status ??= chunk.toString('latin1').split('\r\n')[0] ?? '';
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      client.closedAt = performance.now();
    });
    clients.push(client);
  }
  return clients;
}

/** Milliseconds one GET takes on a fresh connection, and its status (0: the connection was refused or reset). */
export async function timedGet(url: string): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  try {
    const res = await fetch(url, { headers: { connection: 'close' } });
    await res.arrayBuffer();
    return { ms: performance.now() - started, status: res.status };
  } catch {
    return { ms: performance.now() - started, status: 0 };
  }
}

export function openCount(clients: readonly SlowClient[]): number {
  return clients.filter((c) => c.closedAt === null).length;
}
