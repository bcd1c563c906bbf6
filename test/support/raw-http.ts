import { connect } from 'node:net';

export interface RawAnswer {
  readonly status: number;
  /** The status line and headers, as sent. */
  readonly head: string;
  readonly body: string;
}

/**
 * One raw HTTP/1.1 exchange on a fresh connection: what a server answers to bytes that a client
 * library would refuse to send (huge headers, bad escapes, lines that are not HTTP). Resolves
 * when the server closes the connection; send `Connection: close` for a well-formed request.
 */
export function rawHttp(port: number, request: string, host = '127.0.0.1'): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    socket.on('data', (c: Buffer) => chunks.push(c));
    // The server may close while the request is still being written (it answered early): keep what came.
    socket.on('error', (err) => (chunks.length > 0 ? undefined : reject(err)));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const head = text.slice(0, split);
      const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]);
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1]);
      resolve({ status, head, body: text.slice(split + 4, split + 4 + length) });
    });
    socket.write(request);
  });
}
