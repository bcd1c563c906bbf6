/**
 * The one place credentials are scrubbed from text. It is applied at the boundaries where text
 * leaves the process (every log line, every HTTP response including `/metrics`, the store file,
 * the CLI's output and config error messages), never by the code that builds a message, so a
 * message may quote a connection URL as it is and still cannot leak what the URL holds.
 *
 * What is scrubbed, in any text (plain, JSON or Prometheus exposition):
 * - the userinfo of a URL of any scheme (`redis://:pw@h`, `postgres://u:pw@h/db`,
 *   `tcp://u:pw@h`, `http://token@h`), and a bare `user:pw@host` without a scheme;
 * - secret-named `key=value` pairs: query parameters (`?password=…&access_token=…`) and
 *   connection-string keywords (`host=db password='a b'`);
 * - Authorization header values and `Bearer`/`Basic` credentials;
 * - JSON fields named like a secret (`"password": "…"`, `"reloadToken": "…"`).
 *
 * Known limit: a password holding an unencoded `/`, `?`, `#`, a quote or whitespace inside a
 * URL cannot be told apart from the URL's path; such characters must be percent-encoded in a
 * URL anyway (docs/configuration.md says so), and `auth:` keys take them as they are.
 */

export const REDACTED = '***';

/** The word that makes a key name secret (matched case-insensitively, anywhere in the name). */
const SECRET_WORD = String.raw`(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|credentials?)`;
/** Key names that hold a secret: `password`, `sslpassword`, `reloadToken`, `client_secret`. */
const SECRET_NAME = String.raw`[a-z_-]*${SECRET_WORD}`;

// `://` then the authority up to its last `@` (greedy over everything a host, user or password
// can hold without encoding, `@` included: `u:p@ss@host` hides `p@ss`). Anchored on `://`
// rather than the scheme, so long texts without URLs cost one scan.
const URL_USERINFO = /(:\/\/)([^\s/?#"'<>\\]*)@/g;
// `user:password@host` without a scheme (a driver's message often drops it), also after a `/`
// (a path segment, as in an echoed request path).
const BARE_USERINFO = /(^|[\s"'(=,;<[/])([^\s:@/"'<>\\]*):([^\s/?#"'<>\\]+)@(?=[^\s@])/g;
// `password=…`, `?access_token=…`, `sslpassword='a b'`: a quoted value or one up to a separator.
// Matched from the secret word on (what precedes it in the name stays as it is).
const SECRET_PAIR = new RegExp(String.raw`(${SECRET_WORD})(\s*=\s*)('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s&;,"'#<>\\]+)`, 'gi');
// `"password": "…"` in JSON (logs, API bodies): the whole string value, escapes included.
const SECRET_JSON_FIELD = new RegExp(String.raw`("${SECRET_NAME}"\s*:\s*)"(?:[^"\\]|\\.)*"`, 'gi');
// `authorization: Bearer x`, `"authorization":"Basic x"`, `Authorization=…`.
const AUTHORIZATION = /\b(authorization["']?\s*[:=]\s*["']?)((?:basic|bearer|token|digest|negotiate)\s+)?([^\s"',;]+)/gi;
// A `Bearer`/`Basic` credential on its own. Tokens (JWTs, base64) hold a digit or end in `=`:
// prose such as "bearer token" or "basic auth." stays readable.
const SCHEME_CREDENTIAL = /\b(bearer|basic)(\s+)(?=[A-Za-z._~+/-]*[0-9=])[A-Za-z0-9._~+/-]+=*/gi;

function hideBareUserinfo(_match: string, before: string, user: string): string {
  return `${before}${user}:${REDACTED}@`;
}

function hideUserinfo(_match: string, slashes: string, userinfo: string): string {
  const colon = userinfo.indexOf(':');
  // `user:password` keeps the user (it helps find the config); a lone name may be a token.
  return colon < 0 ? `${slashes}${REDACTED}@` : `${slashes}${userinfo.slice(0, colon)}:${REDACTED}@`;
}

/** `text` with every credential it holds replaced by `***`. Idempotent; text without credentials is returned as is. */
export function redact(text: string): string {
  // Userinfo needs an `@`: most long texts (a /metrics page) have none, and skip both scans.
  const withUserinfo = text.includes('@') ? text.replace(URL_USERINFO, hideUserinfo).replace(BARE_USERINFO, hideBareUserinfo) : text;
  return withUserinfo
    .replace(SECRET_JSON_FIELD, `$1"${REDACTED}"`)
    .replace(AUTHORIZATION, (_m, key: string, scheme: string | undefined) => `${key}${scheme ?? ''}${REDACTED}`)
    .replace(SCHEME_CREDENTIAL, `$1$2${REDACTED}`)
    .replace(SECRET_PAIR, `$1$2${REDACTED}`);
}

/**
 * Config keys whose value may carry a credential: URL fields (a password may be typed into
 * one), connection strings, hosts, and the secret fields themselves. A message about such a
 * key never quotes the rejected value.
 */
const SECRET_BEARING_KEY = new RegExp(String.raw`(?:urls?|connectionString|host|headers|auth|basic|bearer|username|${SECRET_NAME})$`, 'i');

/** Whether the config key at `path` (`sources.redis.cache.url`, `alertmanager.urls[0]`) may hold a credential. */
export function isSecretBearingKey(path: string): boolean {
  const last =
    path
      .replace(/(\[\d+\])+$/, '')
      .split('.')
      .pop() ?? '';
  return SECRET_BEARING_KEY.test(last) || /\.(auth|headers)\./i.test(`.${path}.`);
}

/**
 * A validation message about the value at config key `path`: scrubbed, and when the key may hold
 * a credential the rejected value is not quoted at all (`got "s3cretPW"` would print a password
 * typed into a URL field).
 */
export function redactIssueMessage(message: string, path: string, value: unknown): string {
  if (!isSecretBearingKey(path)) return redact(message);
  let text = message.replace(/\bgot\b.*$/s, 'got a value not shown here (this key can hold a credential)');
  if (typeof value === 'string' && value.length >= 4) text = text.split(value).join(REDACTED);
  return redact(text);
}
