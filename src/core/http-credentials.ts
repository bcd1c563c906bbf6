import { z } from 'zod';

/**
 * Credentials for the HTTP-based endpoints (Prometheus, scrape targets, probes, the Docker
 * Engine over TCP, Alertmanager), sent as an `Authorization` header and never as part of a URL:
 * Node's fetch refuses URLs with credentials, and a URL ends up in labels, messages and logs.
 * Either from an `auth:` key (values usually `${ENV}` references) or from a URL's userinfo
 * (`http://user:pass@host`), which is lifted out of the URL into a Basic header.
 */

export const httpAuthSchema = z
  .strictObject({
    basic: z
      .strictObject({
        username: z.string().min(1),
        password: z.string(),
      })
      .optional()
      .meta({ description: 'HTTP Basic credentials; write `${ENV}` references to keep them out of the file.' }),
    bearer: z.string().min(1).optional().meta({ description: 'A bearer token sent as `Authorization: Bearer <token>`; usually `${ENV}`.' }),
  })
  .refine((auth) => (auth.basic === undefined) !== (auth.bearer === undefined), {
    message: 'expected exactly one of `basic: { username, password }` or `bearer: <token>`',
  })
  .meta({ description: 'Credentials sent as an Authorization header, never in the URL.' });

export type HttpAuth = z.infer<typeof httpAuthSchema>;

/**
 * Extra request headers, e.g. `X-Scope-OrgID` for a Mimir, Cortex or Thanos tenant. Credentials
 * belong in `auth`, which keeps them out of messages: an `Authorization` header here is refused.
 */
export const httpHeadersSchema = z
  .record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { message: 'expected an HTTP header name (letters, digits, -)' }), z.string())
  .refine((headers) => !Object.keys(headers).some((name) => name.toLowerCase() === 'authorization'), {
    message: 'expected credentials in `auth` (basic or bearer), not an Authorization header',
  })
  .meta({
    description: 'Extra request headers, e.g. { X-Scope-OrgID: team-a } for a Mimir, Cortex or Thanos tenant; values may be ${ENV}.',
  });

/** TLS settings of an https endpoint: a private CA, a client certificate, the name to verify. */
export const httpTlsSchema = z
  .strictObject({
    caFile: z.string().min(1).optional().meta({ description: 'PEM file of the CA that signed the server certificate.' }),
    certFile: z.string().min(1).optional().meta({ description: 'PEM client certificate (mutual TLS), with keyFile.' }),
    keyFile: z.string().min(1).optional().meta({ description: 'PEM private key of certFile.' }),
    serverName: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Name the server certificate must carry, when it differs from the URL host.' }),
    insecureSkipVerify: z
      .boolean()
      .default(false)
      .meta({ description: 'Accept any server certificate (tests only: anyone in the path can read the queries).' }),
  })
  .refine((tls) => (tls.certFile === undefined) === (tls.keyFile === undefined), { message: 'expected certFile and keyFile together' })
  .meta({ description: 'TLS options for an https URL.' });

export type HttpTls = z.infer<typeof httpTlsSchema>;

/** The request headers of an endpoint: the configured extras, then its credentials (which win). */
export function requestHeaders(endpoint: HttpEndpoint, extra: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return { ...(extra ?? {}), ...endpoint.headers };
}

/** Where to send a request and the headers that carry its credentials (empty when it has none). */
export interface HttpEndpoint {
  /** The URL without userinfo: safe for labels and messages. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

// `scheme://` and the authority's userinfo up to its last `@` (an unencoded `@` in a password).
const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i;

export function hasUserinfo(url: string): boolean {
  return USERINFO.test(url);
}

/** The `Authorization` header value for `auth`. */
export function authorizationOf(auth: HttpAuth): string {
  if (auth.bearer !== undefined) return `Bearer ${auth.bearer}`;
  const { username, password } = auth.basic!;
  return `Basic ${base64Utf8(`${username}:${password}`)}`;
}

/**
 * RFC 7617's UTF-8 then base64, with the web platform's TextEncoder and btoa (global in Node 20)
 * rather than Buffer: the status page's browser bundle type-checks the schema modules that import this file.
 */
function base64Utf8(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** `user:password` as written in a URL (percent-encoded) -> Basic credentials. */
function basicFromUserinfo(userinfo: string): HttpAuth {
  const colon = userinfo.indexOf(':');
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return colon < 0
    ? { basic: { username: decode(userinfo), password: '' } }
    : { basic: { username: decode(userinfo.slice(0, colon)), password: decode(userinfo.slice(colon + 1)) } };
}

/**
 * `url` without its userinfo, and the Authorization header from `auth` or, when there is no
 * `auth`, from that userinfo. The rest of the URL is kept exactly as written (so labels of
 * URLs without credentials do not change). Config validation refuses both at once.
 */
export function httpEndpoint(url: string, auth?: HttpAuth): HttpEndpoint {
  const match = USERINFO.exec(url);
  const bare = match ? `${match[1]}${url.slice(match[0].length)}` : url;
  const credentials = auth ?? (match ? basicFromUserinfo(match[2]!) : undefined);
  return { url: bare, headers: credentials ? { authorization: authorizationOf(credentials) } : {} };
}

/**
 * A Docker Engine `host` written as `[user:password@]hostname`, split the same way: the
 * hostname for dockerode and the header for its requests.
 */
export function hostEndpoint(host: string, auth?: HttpAuth): { host: string; headers: Readonly<Record<string, string>> } {
  const at = host.lastIndexOf('@');
  const bare = at < 0 ? host : host.slice(at + 1);
  const credentials = auth ?? (at < 0 ? undefined : basicFromUserinfo(host.slice(0, at)));
  return { host: bare, headers: credentials ? { authorization: authorizationOf(credentials) } : {} };
}
