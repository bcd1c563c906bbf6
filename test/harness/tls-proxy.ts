// An https reverse proxy on loopback in front of a harness service, and the certificates it
// needs, made at test time with the openssl CLI: a CA, a server certificate it signs (for
// 127.0.0.1 and one DNS name) and a client certificate it signs.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestPki {
  readonly caFile: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** The DNS name the server certificate carries besides 127.0.0.1. */
  readonly serverName: string;
}

async function openssl(dir: string, ...args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir });
}

/** A throwaway CA, and a server and a client certificate it signs, in `dir`. */
export async function makeTestPki(dir: string, serverName = 'prometheus.vigil.test'): Promise<TestPki> {
  const days = ['-days', '2'];
  await openssl(
    dir,
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    ...days,
    '-subj',
    '/CN=vigil test CA',
  );
  writeFileSync(join(dir, 'server.ext'), `subjectAltName=IP:127.0.0.1,DNS:${serverName}\nextendedKeyUsage=serverAuth\n`);
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const who of ['server', 'client']) {
    await openssl(
      dir,
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${who}.key`,
      '-out',
      `${who}.csr`,
      '-subj',
      `/CN=vigil test ${who}`,
    );
    await openssl(
      dir,
      'x509',
      '-req',
      '-in',
      `${who}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${who}.pem`,
      ...days,
      '-extfile',
      `${who}.ext`,
    );
  }
  return {
    caFile: join(dir, 'ca.pem'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client.key'),
    serverName,
  };
}

export interface TlsProxyOptions {
  /** The http base URL requests are forwarded to, e.g. a harness Prometheus. */
  readonly upstream: string;
  readonly pki: TestPki;
  /** Ask for a client certificate signed by the test CA and refuse connections without one. */
  readonly requireClientCert?: boolean;
  /** When set, requests without `Authorization: Bearer <token>` get 401. */
  readonly bearer?: string;
}

export interface TlsProxy {
  readonly url: string;
  /** Requests that reached the upstream. */
  readonly forwarded: () => number;
  close(): Promise<void>;
}

export async function startTlsProxy(options: TlsProxyOptions): Promise<TlsProxy> {
  const upstream = new URL(options.upstream);
  let forwarded = 0;
  const server: Server = createServer(
    {
      key: readFileSync(options.pki.serverKey),
      cert: readFileSync(options.pki.serverCert),
      ...(options.requireClientCert ? { ca: readFileSync(options.pki.caFile), requestCert: true, rejectUnauthorized: true } : {}),
    },
    (req, res) => {
      if (options.bearer !== undefined && req.headers.authorization !== `Bearer ${options.bearer}`) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end('{"status":"error","errorType":"unauthorized","error":"unauthorized"}');
        return;
      }
      forwarded++;
      const { authorization: _drop, ...headers } = req.headers;
      const out = httpRequest(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...headers, host: upstream.host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', (err) => {
        res.writeHead(502);
        res.end(String(err));
      });
      req.pipe(out);
    },
  );
  // A failed handshake is the point of some tests, not a problem.
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `https://127.0.0.1:${port}`,
    forwarded: () => forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
