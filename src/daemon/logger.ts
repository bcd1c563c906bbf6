import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { redact } from '../core/redact.js';

/**
 * The daemon's logger. Every line passes `redact` as it is written (pino's `streamWrite` hook sees
 * the finished JSON text), so no caller has to remember to scrub a driver's message, a URL or an
 * object it logs; children (the HTTP server's, alerting's) write through the same hook.
 *
 * Format: one JSON object per line for machines (files, journald, a log shipper), readable lines
 * (time, level name, message, fields) when a person watches a terminal. The pretty form is
 * pino-pretty applied to the already-redacted JSON, so both forms carry the same scrubbed text.
 */
export type LogFormat = 'json' | 'pretty';

/** `VIGIL_LOG_FORMAT=json|pretty` wins; otherwise pretty exactly when stdout is a terminal. */
export function logFormatFor(env: NodeJS.ProcessEnv, stdoutIsTty: boolean): LogFormat {
  const wanted = env.VIGIL_LOG_FORMAT?.trim().toLowerCase();
  if (wanted === 'json' || wanted === 'pretty') return wanted;
  return stdoutIsTty ? 'pretty' : 'json';
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const format = destination === undefined ? logFormatFor(process.env, process.stdout.isTTY === true) : 'json';
  return pino(
    {
      name: 'vigil',
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: { streamWrite: redact },
    },
    destination ??
      (format === 'pretty'
        ? pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,name', sync: true })
        : undefined),
  );
}
