import type { Config } from './config.js';

/**
 * Secrets never reach a log line, an HTTP response or an error message: passwords inside
 * connection URLs (`redis://:s3cret@host`, `postgres://u:s3cret@host/db`), `password=` keyword
 * pairs, and the reload token.
 */

export const REDACTED = '***';

// `user:password@` anywhere, with or without a scheme in front (a malformed URL in an error
// message still holds the password).
const URL_CREDENTIALS = /([^\s:@/"]*):([^\s@/"]+)@/g;
const PASSWORD_PAIR = /\b(password|passwd|pwd)(\s*=\s*)([^\s&;"]+)/gi;
const SECRET_KEY = /token|secret|password/i;

export function redactText(text: string): string {
  return text.replace(URL_CREDENTIALS, `$1:${REDACTED}@`).replace(PASSWORD_PAIR, `$1$2${REDACTED}`);
}

/** A message about a secret field (`reloadToken`) never quotes the rejected value. */
export function redactIssueMessage(message: string, path: string): string {
  const redacted = redactText(message);
  return SECRET_KEY.test(path) ? redacted.replace(/, got .*$/, `, got ${REDACTED}`) : redacted;
}

function redactValue(value: unknown, key: string | undefined): unknown {
  if (typeof value === 'string') return key !== undefined && SECRET_KEY.test(key) ? REDACTED : redactText(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, undefined));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, k)]));
  }
  return value;
}

/** A copy of the config safe to print: same shape, secrets replaced by `***`. */
export function redactConfig(config: Config): Config {
  return redactValue(config, undefined) as Config;
}
