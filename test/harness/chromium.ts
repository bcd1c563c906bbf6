import puppeteer, { type Browser, type ConsoleMessage, type Page } from 'puppeteer-core';

/** Debian's chromium package; the tests never download a browser. */
export const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Starts headless Chromium; fails loudly when the package is missing. */
export async function launchChromium(): Promise<Browser> {
  return puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 60_000 });
}

/** Closes the browser, and kills its process by pid if it does not go. */
export async function closeChromium(browser: Browser | undefined): Promise<void> {
  if (!browser) return;
  const pid = browser.process()?.pid;
  await Promise.race([browser.close(), new Promise((r) => setTimeout(r, 5000))]);
  if (pid !== undefined) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** A page that records console errors and uncaught page errors, for "renders with no errors". */
export async function watchedPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (msg: ConsoleMessage) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()} ${msg.location().url ?? ''}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${String(err)}`));
  page.on('requestfailed', (req) => errors.push(`requestfailed: ${req.url()} ${req.failure()?.errorText ?? ''}`));
  return { page, errors };
}

/** Non-transparent pixels of every chart canvas on the page (uPlot draws into `.uplot canvas`). */
export function canvasInk(page: Page): Promise<number[]> {
  return page.$$eval('.uplot canvas', (canvases) =>
    canvases.map((c) => {
      // Typed by hand: the test build has no DOM library.
      const canvas = c as unknown as {
        width: number;
        height: number;
        getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
      };
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let ink = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) ink++;
      return ink;
    }),
  );
}
