/**
 * A one-line progress bar on stderr, only when stderr is a terminal (CI logs and `--json` pipes
 * stay clean). Redrawn at most every 250 ms.
 */
export class ProgressBar {
  private last = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly enabled = Boolean(process.stderr.isTTY),
  ) {}

  update(fraction: number, text: string): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 250 && fraction < 1) return;
    this.last = now;
    const width = 30;
    const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
    const bar = `${'='.repeat(filled)}${filled < width ? '>' : ''}${' '.repeat(Math.max(0, width - filled - 1))}`;
    this.stream.write(`\r[${bar}] ${String(Math.round(fraction * 100)).padStart(3)}% ${text}\x1b[K`);
    this.drawn = true;
  }

  done(): void {
    if (this.enabled && this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}
