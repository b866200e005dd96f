/**
 * A virtual clock for the cloud client's unit tests: `sleep` registers a timer, `run` advances time
 * to the next timer only once every pending promise callback has run. Hours of simulated traffic
 * take milliseconds, and the order of events is deterministic.
 */
interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fire: () => void;
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class FakeClock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = 1_000_000) {
    this.t = start;
  }

  readonly now = (): number => this.t;

  readonly sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      this.timers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, fire: resolve });
    });

  /** Drives the clock until `work` settles; throws if it waits on nothing (a deadlock) or runs past `maxMs`. */
  async run<T>(work: Promise<T>, maxMs = 24 * 3600_000): Promise<T> {
    let done = false;
    const tracked = work.finally(() => {
      done = true;
    });
    tracked.catch(() => {});
    const limit = this.t + maxMs;
    for (;;) {
      await settle();
      if (done) return tracked;
      if (this.timers.length === 0) throw new Error('FakeClock: the work waits on no timer');
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift() as Timer;
      if (next.at > limit) throw new Error('FakeClock: time limit reached');
      this.t = Math.max(this.t, next.at);
      next.fire();
    }
  }
}
