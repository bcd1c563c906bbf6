// A tiny HTTP server that records POSTed JSON, standing in for on-call's pager: tests point their
// own Alertmanager's webhook at it and wait for the notification they expect.
import { createServer, type Server } from 'node:http';
import { waitFor } from './process-utils.js';

export interface ReceivedRequest {
  receivedAt: number;
  path: string;
  body: unknown;
}

export class WebhookReceiver {
  readonly received: ReceivedRequest[] = [];
  private readonly server: Server;
  private port = 0;

  private constructor(private readonly path: string) {
    this.server = createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (raw += c));
      req.on('end', () => {
        let body: unknown = raw;
        try {
          body = JSON.parse(raw);
        } catch {
          // not JSON: keep the text
        }
        this.received.push({ receivedAt: Date.now(), path: req.url ?? '', body });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
  }

  /** Where to POST. */
  get url(): string {
    return `http://127.0.0.1:${this.port}${this.path}`;
  }

  /** Listens on 127.0.0.1:<free port>. */
  static async start(path = '/hook'): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(path);
    await new Promise<void>((resolve, reject) => {
      receiver.server.once('error', reject);
      receiver.server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = receiver.server.address();
    receiver.port = typeof address === 'object' && address ? address.port : 0;
    return receiver;
  }

  /** Resolves with the first recorded request matching `predicate`; throws after timeoutMs. */
  waitFor(predicate: (r: ReceivedRequest) => boolean, timeoutMs = 30_000): Promise<ReceivedRequest> {
    return waitFor(() => this.received.find(predicate), { timeoutMs, intervalMs: 100, what: `a webhook request at ${this.url}` });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
