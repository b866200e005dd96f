/**
 * How fast calls go out: per (region, action) an adaptive token bucket, per region a cap on calls
 * in flight. Alibaba's quotas are per account, per region, per API (alibaba-openapi.md §4.3) and
 * their values are published nowhere, so the bucket learns the quota from Throttling answers
 * instead of trusting the configured rate.
 *
 * The bucket's shape, and why:
 * - Capacity of one token (grants are paced 1/rate apart, no burst after idleness). A server quota
 *   that is itself a bucket of capacity Q throttles N−Q calls of any N-call burst, and one counted in
 *   1-second windows throttles any window that gets more than Q; pacing is the only shape that
 *   stays under both.
 * - Start: at the configured rate when it is a plausible quota (≤ 100 rps): the operator said so,
 *   and a run of a few hundred deletions cannot afford seconds of ramp. Above that the configured
 *   rate is only a ceiling: slow start from 10 rps, ×2 every 250 ms the rate is actually used, up
 *   to it. Growth needs use: a rate nobody exercises proves nothing, and would only allow a burst
 *   later.
 * - On a Throttling answer the bucket pauses until x-acs-retry-after (500 ms without one), and the
 *   ceiling becomes min(ceiling, rate now, successes per second over the last second). While
 *   throttled the server admits exactly its quota, so the success rate measures Q directly even
 *   when a server-side burst allowance let the ramp overshoot. The rate is cut to ¾ of that.
 *   The success rate is trusted only when demand exceeded the quota: calls queued at the bucket,
 *   the bucket running near its rate, or a third of the window's answers refused (demand bounded
 *   by calls in flight on a slow host). Otherwise (a stray throttle on a lightly used bucket)
 *   the estimate is the rate now, so one throttle cannot pin a sparse action at its demand.
 *   Answers to calls sent before the cut change nothing but the pause (one cut per congestion
 *   event); so do answers that come before half a second of traffic since the last pause, which
 *   cannot tell the quota from the echo of the overshoot (a sliding window still full of it).
 * - Recovery: ×1.15 a second back to 96 % of the ceiling, and it stays there.
 * - Probing: after 30 s without throttling at that level, the ceiling is raised 5 % every 10 s
 *   toward the configured rate; the next Throttling answer sets it back where throttling began.
 *   So a quota that was raised (or a neighbour that stopped sharing it) is found again, at the cost
 *   of a few throttled calls per probe that fails.
 */
import pLimit, { type LimitFunction } from 'p-limit';

export type RateChangeReason = 'slow-start' | 'recover' | 'probe' | 'throttled';

export interface RateTuning {
  /** Slow-start growth per adjustment while no ceiling is known. */
  readonly slowStartFactor: number;
  /** Growth per adjustment while below the target under a known ceiling. */
  readonly recoverFactor: number;
  /** Cut on throttling, applied to the estimated ceiling. */
  readonly cutFactor: number;
  /** The steady rate, as a share of the learned ceiling. */
  readonly targetShare: number;
  readonly adjustIntervalMs: number;
  /** Growth step while no ceiling is known yet: a short run must not spend its seconds ramping up. */
  readonly slowStartIntervalMs: number;
  /** Quiet time at the target before the first probe above the ceiling. */
  readonly probeAfterMs: number;
  readonly probeIntervalMs: number;
  readonly probeFactor: number;
  /** Pause after throttling when the server sent no x-acs-retry-after. */
  readonly defaultPauseMs: number;
  readonly maxPauseMs: number;
  /** Window over which the admitted (successful) rate is measured. */
  readonly measureWindowMs: number;
  /** Share of the rate that must have been used in an interval for the rate to grow. */
  readonly saturation: number;
  /**
   * Throttled answers per admitted one, over the measure window, from which the admitted rate is
   * taken as the quota even though the bucket was not the bottleneck. ½ (a third of calls refused)
   * is far above stray throttles and far below a server admitting Q of several times Q sent.
   */
  readonly refusedShare: number;
  /**
   * A grant may keep the schedule (next = previous slot + 1/rate) when the timer woke up this late
   * after its slot, as a share of the interval. Without it setTimeout's overshoot eats several
   * percent of the rate; with too much of it, an idle bucket would burst.
   */
  readonly cadenceSlack: number;
}

export const DEFAULT_RATE_TUNING: RateTuning = {
  slowStartFactor: 2,
  recoverFactor: 1.15,
  cutFactor: 0.75,
  targetShare: 0.96,
  adjustIntervalMs: 1_000,
  slowStartIntervalMs: 250,
  probeAfterMs: 30_000,
  probeIntervalMs: 10_000,
  probeFactor: 1.05,
  defaultPauseMs: 500,
  maxPauseMs: 60_000,
  measureWindowMs: 1_000,
  saturation: 0.8,
  refusedShare: 0.5,
  cadenceSlack: 0.25,
};

/** Slow start begins here when the configured rate is beyond what any API quota plausibly is. */
export const SLOW_START_RPS = 10;
/**
 * A configured rate up to this is taken as the operator's statement of the quota and used from
 * the first call (ramping up to it costs seconds a short run does not have); above it, the rate
 * is a ceiling to discover the quota under, from SLOW_START_RPS.
 */
export const TRUSTED_START_RPS = 100;
/** The rate is never cut below this (or below the configured rate, if that is lower). */
export const FLOOR_RPS = 1;

export interface AdaptiveRateLimiterOptions {
  /** The configured rate: never exceeded. */
  readonly maxRps: number;
  readonly initialRps?: number;
  readonly floorRps?: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly onRateChange?: (rps: number, reason: RateChangeReason) => void;
  readonly tuning?: Partial<RateTuning>;
}

export class AdaptiveRateLimiter {
  readonly maxRps: number;
  readonly floorRps: number;
  private readonly t: RateTuning;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly onRateChange: (rps: number, reason: RateChangeReason) => void;

  private rps: number;
  private ceiling: number | null = null;
  private nextGrantAt = -Infinity;
  private pausedUntil = -Infinity;
  private readonly waiters: Array<(grantedAt: number) => void> = [];
  private pumping = false;

  private lastAdjustAt: number;
  private grantsSinceAdjust = 0;
  private successTimes: number[] = [];
  private throttleTimes: number[] = [];
  /** Successes are only measured from here: the creation, or the end of the latest pause. */
  private measureFrom: number;
  private lastCutAt = -Infinity;
  private lastThrottleAt = -Infinity;
  private lastProbeAt = -Infinity;

  constructor(opts: AdaptiveRateLimiterOptions) {
    if (!(opts.maxRps > 0)) throw new Error(`maxRps must be positive, got ${opts.maxRps}`);
    this.t = { ...DEFAULT_RATE_TUNING, ...opts.tuning };
    this.maxRps = opts.maxRps;
    this.floorRps = Math.min(opts.maxRps, opts.floorRps ?? FLOOR_RPS);
    this.now = opts.now;
    this.sleep = opts.sleep;
    this.onRateChange = opts.onRateChange ?? (() => {});
    this.rps = this.clamp(opts.initialRps ?? (opts.maxRps <= TRUSTED_START_RPS ? opts.maxRps : SLOW_START_RPS));
    this.lastAdjustAt = this.now();
    this.measureFrom = this.lastAdjustAt;
  }

  /** The current fill rate, in calls per second. */
  get rate(): number {
    return this.rps;
  }

  /** The rate where throttling began, or null before any throttling. */
  get learnedCeiling(): number | null {
    return this.ceiling;
  }

  /** Waits for a token; resolves with the time it was granted (the call's send time). FIFO. */
  acquire(): Promise<number> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      if (!this.pumping) void this.pump();
    });
  }

  /** A call was answered with anything but Throttling: the quota admitted it. */
  onSuccess(): void {
    const now = this.now();
    this.successTimes.push(now);
    this.pruneSuccesses(now);
    this.adjust(now);
  }

  /** The call granted at `sentAt` was refused with Throttling. */
  onThrottle(sentAt: number, retryAfterMs: number | null): void {
    const now = this.now();
    this.lastThrottleAt = now;
    this.throttleTimes.push(now);
    this.pruneSuccesses(now);
    const pause = Math.min(this.t.maxPauseMs, Math.max(0, retryAfterMs ?? this.t.defaultPauseMs));
    this.pausedUntil = Math.max(this.pausedUntil, now + pause);
    if (sentAt < this.lastCutAt) return;
    // Too little traffic since the last pause to tell the quota from the echo of the overshoot that
    // caused it (a sliding window still full of it): wait, and judge once there is a measurement.
    const measured = this.admittedRate(now);
    if (measured === null) return;

    // The admitted rate measures the quota only while demand exceeds it: calls queued, the bucket
    // running near its rate, or the server refusing a large share of what was sent (demand bounded
    // by the calls in flight, not by the bucket: a slow or loaded host). A lightly used bucket admits
    // what it is asked for, and taking that as the quota would pin a sparse action (one re-read per
    // deletion) at the floor after one stray throttle.
    const refused = this.throttledRate(now) ?? 0;
    const saturated = this.waiters.length > 0 || measured >= this.rps * this.t.saturation || refused >= measured * this.t.refusedShare;
    const estimate = saturated ? Math.min(this.rps, measured) : this.rps;
    this.ceiling = Math.max(this.floorRps, Math.min(this.ceiling ?? Infinity, estimate));
    this.lastCutAt = now;
    // Growth and measurement restart once the pause is over, so the idle pause counts as neither.
    this.lastAdjustAt = this.pausedUntil;
    this.grantsSinceAdjust = 0;
    this.measureFrom = this.pausedUntil;
    this.setRate(estimate * this.t.cutFactor, 'throttled');
  }

  private clamp(rps: number): number {
    return Math.min(this.maxRps, Math.max(this.floorRps, rps));
  }

  private setRate(rps: number, reason: RateChangeReason): void {
    const next = this.clamp(rps);
    if (next === this.rps && reason !== 'throttled') return;
    this.rps = next;
    this.onRateChange(next, reason);
  }

  private pruneSuccesses(now: number): void {
    const from = now - this.t.measureWindowMs;
    this.successTimes = dropUpTo(this.successTimes, from);
    this.throttleTimes = dropUpTo(this.throttleTimes, from);
  }

  /** Successes per second since max(window start, last pause end); null when that span is too short to trust. */
  private admittedRate(now: number): number | null {
    return this.ratePerSecond(this.successTimes, now);
  }

  /** Throttling answers per second over the same span as admittedRate. */
  private throttledRate(now: number): number | null {
    return this.ratePerSecond(this.throttleTimes, now);
  }

  private ratePerSecond(times: readonly number[], now: number): number | null {
    const from = Math.max(now - this.t.measureWindowMs, this.measureFrom);
    const span = now - from;
    if (span < this.t.measureWindowMs / 2) return null;
    const count = times.filter((t) => t > from).length;
    return (count * 1000) / span;
  }

  private adjust(now: number): void {
    const span = now - this.lastAdjustAt;
    if (span < (this.ceiling === null ? this.t.slowStartIntervalMs : this.t.adjustIntervalMs)) return;
    const used = this.grantsSinceAdjust / ((this.rps * span) / 1000);
    this.lastAdjustAt = now;
    this.grantsSinceAdjust = 0;
    if (used < this.t.saturation) return;

    if (this.ceiling === null) {
      this.setRate(this.rps * this.t.slowStartFactor, 'slow-start');
      return;
    }
    const target = this.clamp(this.ceiling * this.t.targetShare);
    if (this.rps < target) {
      this.setRate(Math.min(target, this.rps * this.t.recoverFactor), 'recover');
      return;
    }
    const quietFor = now - this.lastThrottleAt;
    if (target < this.maxRps && quietFor >= this.t.probeAfterMs && now - this.lastProbeAt >= this.t.probeIntervalMs) {
      this.ceiling *= this.t.probeFactor;
      this.lastProbeAt = now;
      this.setRate(this.ceiling * this.t.targetShare, 'probe');
    }
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.waiters.length > 0) {
        const now = this.now();
        this.adjust(now);
        const eligible = Math.max(this.nextGrantAt, this.pausedUntil);
        if (now < eligible) {
          await this.sleep(eligible - now);
          continue;
        }
        const interval = 1000 / this.rps;
        this.nextGrantAt = (now - eligible <= interval * this.t.cadenceSlack ? eligible : now) + interval;
        this.grantsSinceAdjust++;
        const grant = this.waiters.shift() as (grantedAt: number) => void;
        grant(now);
      }
    } finally {
      this.pumping = false;
    }
  }
}

/** The sorted `times` after `from`. */
function dropUpTo(times: number[], from: number): number[] {
  let drop = 0;
  while (drop < times.length && (times[drop] as number) <= from) drop++;
  return drop > 0 ? times.slice(drop) : times;
}

export interface RateLimitsOptions {
  /** Configured maximum per action per region. */
  readonly requestsPerSecond: number;
  /** Calls in flight per region, all actions together. */
  readonly concurrency: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly onRateChange?: (region: string, action: string, rps: number, reason: RateChangeReason) => void;
  readonly tuning?: Partial<RateTuning>;
}

/** The buckets and the in-flight caps of one client, created on first use. */
export class RateLimits {
  private readonly buckets = new Map<string, AdaptiveRateLimiter>();
  private readonly gates = new Map<string, LimitFunction>();

  constructor(private readonly opts: RateLimitsOptions) {
    if (!(opts.concurrency >= 1)) throw new Error(`concurrency must be at least 1, got ${opts.concurrency}`);
  }

  bucket(region: string, action: string): AdaptiveRateLimiter {
    const key = `${region}\u0000${action}`;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      const { onRateChange } = this.opts;
      bucket = new AdaptiveRateLimiter({
        maxRps: this.opts.requestsPerSecond,
        now: this.opts.now,
        sleep: this.opts.sleep,
        ...(onRateChange ? { onRateChange: (rps: number, reason: RateChangeReason) => onRateChange(region, action, rps, reason) } : {}),
        ...(this.opts.tuning ? { tuning: this.opts.tuning } : {}),
      });
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  /**
   * The region's in-flight cap. Callers take their token first and a slot second: holding a slot
   * while waiting for a token would let one throttled action's queue block every other action in
   * the region.
   */
  gate(region: string): LimitFunction {
    let gate = this.gates.get(region);
    if (gate === undefined) {
      gate = pLimit(this.opts.concurrency);
      this.gates.set(region, gate);
    }
    return gate;
  }
}
