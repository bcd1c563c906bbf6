import { createHash } from 'node:crypto';
import type { InlineAssets } from './assets.js';
import { Html, html } from './html.js';
import { REPORT_DATA_ID, scriptSafeJson } from './report-charts.js';

/**
 * A page that is one file: script and styles inlined, its data embedded as JSON, nothing fetched.
 * It opens from disk with no network (air-gapped, no CDN). The Content-Security-Policy meta
 * allows exactly the inlined script and style by their hashes and loads nothing from anywhere:
 * markup smuggled in through the data could neither run nor fetch, even if escaping failed.
 */
export interface StandalonePage {
  title: string;
  body: Html;
  /** Embedded as `<script type="application/json" id="report-data">` for the script to read. */
  data: unknown;
  /** Null: a page of tables only (the bundle was not built). */
  assets: InlineAssets | null;
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Inlined text must not be able to close its element early. */
function inlinable(text: string, element: 'script' | 'style'): string {
  if (text.toLowerCase().includes(`</${element}`)) throw new Error(`the bundled ${element} contains </${element}: it cannot be inlined`);
  return text;
}

export function contentSecurityPolicy(assets: InlineAssets | null): string {
  return [
    "default-src 'none'",
    `script-src ${assets ? sha256(assets.script) : "'none'"}`,
    `style-src ${assets ? sha256(assets.style) : "'none'"}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function standalonePage(p: StandalonePage): string {
  const { assets } = p;
  const raw = (text: string) => new Html(text);
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(assets)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>${p.title}</title>
<link rel="icon" href="data:,">
${assets ? html`<style>${raw(inlinable(assets.style, 'style'))}</style>` : ''}
</head>
<body>
<main id="main">
${p.body}
</main>
<script type="application/json" id="${REPORT_DATA_ID}">${raw(scriptSafeJson(p.data))}</script>
${assets ? html`<script type="module">${raw(inlinable(assets.script, 'script'))}</script>` : ''}
</body>
</html>
`.text;
}
