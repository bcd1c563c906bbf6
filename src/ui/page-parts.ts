import type { ObjectiveStatus } from '../snapshot/snapshot-schema.js';
import { formatDuration } from '../units/units.js';
import { type Html, html } from './html.js';
import { STATUS_MARK } from './status-marks.js';

/** Pieces both pages use. */
export function statusBadge(status: ObjectiveStatus): Html {
  const m = STATUS_MARK[status];
  return html`<span class="st st-${status}" data-status="${status}"><span class="st-shape" aria-hidden="true">${m.shape}</span> ${m.word}</span>`;
}

export const percent = (x: number | null, digits = 1): string => (x === null ? '–' : `${(x * 100).toFixed(digits)}%`);

export function age(seconds: number | null): string {
  if (seconds === null) return '–';
  return seconds < 1 ? 'just now' : `${formatDuration(Math.round(seconds) * 1000)} ago`;
}

export function eta(seconds: number | null): string {
  if (seconds === null) return '–';
  return seconds <= 0 ? 'now' : `in ${formatDuration(Math.round(seconds / 60) * 60_000 || 1000)}`;
}

export interface PageShell {
  title: string;
  /** Seconds between live-update polls (the daemon's evaluation interval). */
  pollSeconds: number;
  /** Extra attributes for `<main>` the script reads (what to poll). */
  mainData: Html;
  body: Html;
  /** Set when the bundled script and styles are there to link. */
  assets: { script: string; style: string };
}

/** The document around a page: no inline script or style (the CSP forbids both), the bundle linked. */
export function shell(p: PageShell): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${p.title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${p.assets.style}">
<script type="module" src="${p.assets.script}"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<main id="main" data-poll-seconds="${p.pollSeconds}" ${p.mainData}>
${p.body}
</main>
</body>
</html>
`;
}
