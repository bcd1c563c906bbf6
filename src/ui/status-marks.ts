import type { ObjectiveStatus } from '../snapshot/snapshot-schema.js';

/**
 * How a status is shown: a shape and a word besides the colour (colour alone fails people who
 * cannot tell red from green, and greyscale screens). Shared by the server-rendered pages and
 * the bundled script that updates them, so both draw the same badge.
 */
export const STATUS_MARK: Readonly<Record<ObjectiveStatus, { shape: string; word: string }>> = {
  ok: { shape: '✓', word: 'ok' },
  warning: { shape: '▲', word: 'warning' },
  breach: { shape: '✖', word: 'breach' },
  no_data: { shape: '?', word: 'no data' },
};
