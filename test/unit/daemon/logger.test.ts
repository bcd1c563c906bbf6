import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, logFormatFor } from '../../../src/daemon/logger.js';

describe('log format', () => {
  it('is pretty on a terminal and JSON otherwise; VIGIL_LOG_FORMAT overrides either way', () => {
    expect(logFormatFor({}, true)).toBe('pretty');
    expect(logFormatFor({}, false)).toBe('json');
    expect(logFormatFor({ VIGIL_LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormatFor({ VIGIL_LOG_FORMAT: ' Pretty ' }, false)).toBe('pretty');
    expect(logFormatFor({ VIGIL_LOG_FORMAT: 'xml' }, false)).toBe('json');
  });

  it('writes one redacted JSON object per line to a given destination', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
    createLogger('info', sink).info({ url: 'http://user:s3cretPW@host:9090/' }, 'source down');
    const entry = JSON.parse(lines[0]!) as { level: number; msg: string; url: string };
    expect(entry).toMatchObject({ level: 30, msg: 'source down' });
    expect(entry.url).not.toContain('s3cretPW');
  });
});
