import pino, { type Logger } from 'pino';
import { redact } from '../core/redact.js';

/**
 * The daemon's structured JSON logger. Every line passes `redact` as it is written (pino's
 * `streamWrite` hook sees the finished JSON text), so no caller has to remember to scrub a
 * driver's message, a URL or an object it logs; children (the HTTP server's, alerting's)
 * write through the same hook.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name: 'vigil',
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: { streamWrite: redact },
    },
    destination,
  );
}
