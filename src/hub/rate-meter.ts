// Download speed over the last few seconds: steadier than the last chunk's, quicker to follow a
// change than the average since the start. Feeds the "time left" of a download's progress.

const WINDOW_MS = 5000;

export class RateMeter {
  private readonly samples: { at: number; bytes: number }[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  add(bytes: number): void {
    this.samples.push({ at: this.now(), bytes });
    this.trim();
  }

  /** Bytes per second over the window; 0 before two samples span any time. */
  rate(): number {
    this.trim();
    if (this.samples.length < 2) return 0;
    const span = (this.now() - this.samples[0]!.at) / 1000;
    if (span <= 0) return 0;
    // The first sample's bytes arrived before the window's start.
    const bytes = this.samples.slice(1).reduce((sum, s) => sum + s.bytes, 0);
    return bytes / span;
  }

  private trim(): void {
    const start = this.now() - WINDOW_MS;
    while (this.samples.length > 2 && this.samples[0]!.at < start) this.samples.shift();
  }
}
