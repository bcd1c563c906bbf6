import { isIP } from 'node:net';
import { ERR, vigilError } from '../core/errors.js';

/** Whether a URL's host is this machine: 127.0.0.0/8, ::1 or `localhost`. */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.split('.')[0] === '127';
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/** Load tests hit loopback targets only, unless the operator says otherwise on purpose. */
export function assertLoopback(url: string, allowRemote: boolean): void {
  if (allowRemote || isLoopbackUrl(url)) return;
  throw vigilError(ERR.VIGIL_ERR_LOADTEST_REMOTE_TARGET, { url });
}
