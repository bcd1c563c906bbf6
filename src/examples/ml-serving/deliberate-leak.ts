/**
 * A deliberate memory leak for soak tests of the example service (`--leak-bytes-per-minute N`):
 * every second it keeps another N/60 bytes forever. The buffers are filled, not just reserved, so
 * the pages are resident and show in `process_resident_memory_bytes` as a real leak would.
 */
export class DeliberateLeak {
  private readonly kept: Buffer[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(bytesPerMinute: number) {
    const perSecond = Math.max(1, Math.round(bytesPerMinute / 60));
    this.timer = setInterval(() => this.kept.push(Buffer.alloc(perSecond, 0x5a)), 1000);
    this.timer.unref();
  }

  get keptBytes(): number {
    return this.kept.reduce((sum, b) => sum + b.length, 0);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
