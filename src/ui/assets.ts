import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/**
 * The status page's script and styles, bundled at build time (`npm run build:ui`: esbuild, uPlot
 * included, no CDN) into `dist/ui/assets/`. Read once at start, gzipped once, and linked with a
 * content hash so browsers may keep them for good.
 */
export interface Asset {
  readonly type: string;
  readonly body: Buffer;
  readonly gzip: Buffer;
  readonly hash: string;
}

export interface UiAssets {
  readonly script: Asset;
  readonly style: Asset;
}

export const ASSET_FILES = { script: 'app.js', style: 'app.css' } as const;

/** Where the bundle is: beside the compiled module, or the project's dist/ when running from source (tests). */
export function assetsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, 'assets');
  if (existsSync(join(beside, ASSET_FILES.script))) return beside;
  return join(here, '..', '..', 'dist', 'ui', 'assets');
}

function asset(path: string, type: string): Asset {
  const body = readFileSync(path);
  return { type, body, gzip: gzipSync(body, { level: 9 }), hash: createHash('sha256').update(body).digest('hex').slice(0, 16) };
}

/** The bundle, or null when it was not built (the pages still work: server-rendered, without charts). */
export function loadAssets(dir = assetsDir()): UiAssets | null {
  const script = join(dir, ASSET_FILES.script);
  const style = join(dir, ASSET_FILES.style);
  if (!existsSync(script) || !existsSync(style)) return null;
  return { script: asset(script, 'text/javascript; charset=utf-8'), style: asset(style, 'text/css; charset=utf-8') };
}

/** The load-test report's script and styles, built beside the status page's. */
export const REPORT_ASSET_FILES = { script: 'report.js', style: 'report.css' } as const;

/** Text to inline into a self-contained page. */
export interface InlineAssets {
  readonly script: string;
  readonly style: string;
}

/** The report's bundle as text, or null when it was not built (the report then has tables only). */
export function loadReportAssets(dir = assetsDir()): InlineAssets | null {
  const script = join(dir, REPORT_ASSET_FILES.script);
  const style = join(dir, REPORT_ASSET_FILES.style);
  if (!existsSync(script) || !existsSync(style)) return null;
  return { script: readFileSync(script, 'utf8'), style: readFileSync(style, 'utf8') };
}
