import pino, { type Logger } from 'pino';

/**
 * The daemon's structured JSON logger. Authorization headers and anything named like a secret
 * are censored by pino itself; messages that quote a driver's error pass `redactText` first.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name: 'vigil',
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', '*.password', '*.reloadToken', '*.token', '*.connectionString'],
        censor: '***',
      },
    },
    destination,
  );
}
