/**
 * The adaptive limiter on a virtual clock: its rules one by one, invariants as properties, and the
 * design goal (≥ 0.9·Q throughput, < 2 % throttled) against simulated quotas of three shapes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdaptiveRateLimiter, RateLimits, type RateChangeReason } from '../../functions/cloud/rate-limit.js';
import { FakeClock } from './cloud-fake-clock.js';
import { runDeletions, type QuotaShape } from './cloud-quota-sim.js';

function limiter(clock: FakeClock, maxRps: number, log: Array<[number, RateChangeReason]> = []): AdaptiveRateLimiter {
  return new AdaptiveRateLimiter({ maxRps, now: clock.now, sleep: clock.sleep, onRateChange: (rps, why) => log.push([rps, why]) });
}

/** One caller taking tokens back to back until `untilMs`, each answered at once with success. */
async function saturate(clock: FakeClock, lim: AdaptiveRateLimiter, untilMs: number, grants: number[] = []): Promise<number[]> {
  await clock.run(
    (async () => {
      while (clock.now() < untilMs) {
        grants.push(await lim.acquire());
        lim.onSuccess();
      }
    })(),
  );
  return grants;
}

function maxInWindow(times: number[], windowMs: number): number {
  let best = 0;
  let j = 0;
  for (let i = 0; i < times.length; i++) {
    while ((times[i] as number) - (times[j] as number) >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('pacing', () => {
  it('spaces grants 1/rate apart, with no burst at start', async () => {
    const clock = new FakeClock(0);
    const lim = limiter(clock, 5);
    const grants = await clock.run(Promise.all(Array.from({ length: 6 }, () => lim.acquire())));
    expect(grants).toEqual([0, 200, 400, 600, 800, 1000]);
  });

  it('starts at min(configured, 10) rps', () => {
    const clock = new FakeClock(0);
    expect(limiter(clock, 1000).rate).toBe(10);
    expect(limiter(clock, 3).rate).toBe(3);
  });

  it('serves waiters in order', async () => {
    const clock = new FakeClock(0);
    const lim = limiter(clock, 10);
    const order: number[] = [];
    await clock.run(Promise.all([0, 1, 2, 3].map(async (i) => order.push((await lim.acquire(), i)))));
    expect(order).toEqual([0, 1, 2, 3]);
  });
});

describe('slow start', () => {
  it('starts at a configured rate that is a plausible quota (≤ 100 rps)', async () => {
    const clock = new FakeClock(0);
    const lim = limiter(clock, 50);
    expect(lim.rate).toBe(50);
    await saturate(clock, lim, 2_000);
    expect(lim.rate).toBe(50);
  });

  it('above that, slow-starts from 10 rps, doubling every 250 ms of use up to the configured rate, never beyond', async () => {
    const clock = new FakeClock(0);
    const log: Array<[number, RateChangeReason]> = [];
    const lim = limiter(clock, 300, log);
    expect(lim.rate).toBe(10);
    await saturate(clock, lim, 5_000);
    expect(log.map(([r]) => r)).toEqual([20, 40, 80, 160, 300]);
    expect(lim.rate).toBe(300);
  });

  it('does not grow a rate nobody uses', async () => {
    const clock = new FakeClock(0);
    const lim = limiter(clock, 1000);
    await clock.run(
      (async () => {
        for (let i = 0; i < 20; i++) {
          await lim.acquire();
          lim.onSuccess();
          await clock.sleep(500);
        }
      })(),
    );
    expect(lim.rate).toBe(10);
  });
});

describe('throttling', () => {
  it('learns the ceiling from the admitted rate, cuts the rate and pauses until retry-after', async () => {
    const clock = new FakeClock(0);
    const log: Array<[number, RateChangeReason]> = [];
    const lim = limiter(clock, 1000, log);
    const grants = await saturate(clock, lim, 1_100); // 10 → 20 → 40 → 80 → 160 rps, 250 ms each
    const sentAt = grants[grants.length - 1] as number;
    const before = lim.rate;
    lim.onThrottle(sentAt, 700);
    // The admitted rate over the last second (a ramp through 20, 40, 80 and 160 rps) is below the
    // rate now: it is the ceiling, and the rate is cut to ¾ of it.
    const ceiling = lim.learnedCeiling as number;
    expect(ceiling).toBeGreaterThan(40);
    expect(ceiling).toBeLessThanOrEqual(before);
    expect(lim.rate).toBeCloseTo(ceiling * 0.75, 5);
    expect(log.at(-1)?.[1]).toBe('throttled');
    const throttledAt = clock.now();
    const next = await clock.run(lim.acquire());
    expect(next).toBeGreaterThanOrEqual(throttledAt + 700);
  });

  it('does not cut again for answers to calls sent before the cut', async () => {
    const clock = new FakeClock(0);
    const lim = limiter(clock, 1000);
    const grants = await saturate(clock, lim, 2_500);
    lim.onThrottle(grants.at(-1) as number, 10);
    const afterFirstCut = lim.rate;
    lim.onThrottle(grants.at(-2) as number, 10);
    lim.onThrottle(grants.at(-3) as number, 10);
    expect(lim.rate).toBe(afterFirstCut);
  });

  /** Answers arriving every `stepMs` for `untilMs`; `refused(i)` says which were Throttling. */
  async function answers(clock: FakeClock, lim: AdaptiveRateLimiter, untilMs: number, stepMs: number, refused: (i: number) => boolean): Promise<void> {
    for (let i = 0; clock.now() < untilMs; i++) {
      await clock.run(clock.sleep(stepMs));
      if (refused(i)) lim.onThrottle(clock.now(), 0);
      else lim.onSuccess();
    }
  }

  it('takes the admitted rate as the quota when most calls are refused, even with the bucket not the bottleneck', async () => {
    // Four calls in flight on a slow host send 80/s under a bucket of 160 rps; the server admits 20/s.
    const clock = new FakeClock(0);
    const lim = new AdaptiveRateLimiter({ maxRps: 1000, initialRps: 160, now: clock.now, sleep: clock.sleep });
    await answers(clock, lim, 600, 12.5, (i) => i % 4 !== 0);
    expect(lim.learnedCeiling).toBeGreaterThan(15);
    expect(lim.learnedCeiling).toBeLessThan(25);
    expect(lim.rate).toBeLessThan(20);
  });

  it('cuts a lightly used bucket by a quarter on a stray throttle, not down to its demand', async () => {
    const clock = new FakeClock(0);
    const lim = new AdaptiveRateLimiter({ maxRps: 1000, initialRps: 160, now: clock.now, sleep: clock.sleep });
    await answers(clock, lim, 1_000, 12.5, () => false); // 80/s admitted, nothing refused
    lim.onThrottle(clock.now(), 0);
    expect(lim.learnedCeiling).toBe(160);
    expect(lim.rate).toBe(120);
  });

  it('never goes below the floor, however often it is throttled', async () => {
    const clock = new FakeClock(0);
    const lim = limiter(clock, 100);
    await clock.run(
      (async () => {
        for (let i = 0; i < 60; i++) {
          const t = await lim.acquire();
          await clock.sleep(600); // enough traffic time for a measurement each round
          lim.onThrottle(t, 1);
        }
      })(),
    );
    expect(lim.rate).toBe(1);
  });

  it('recovers to 96 % of the ceiling, holds, then probes above it', async () => {
    const clock = new FakeClock(0);
    const log: Array<[number, RateChangeReason]> = [];
    const lim = limiter(clock, 1000, log);
    const grants = await saturate(clock, lim, 2_500);
    lim.onThrottle(grants.at(-1) as number, 100);
    const ceiling = lim.learnedCeiling as number;
    await saturate(clock, lim, 12_000);
    expect(lim.rate).toBeCloseTo(ceiling * 0.96, 5);
    expect(log.filter(([, why]) => why === 'probe')).toHaveLength(0);
    await saturate(clock, lim, 45_000);
    const probes = log.filter(([, why]) => why === 'probe');
    expect(probes.length).toBeGreaterThanOrEqual(1);
    expect(lim.rate).toBeGreaterThan(ceiling * 0.96);
  });
});

describe('the region in-flight cap', () => {
  it('keeps at most `concurrency` calls in flight per region, regions apart', async () => {
    const clock = new FakeClock(0);
    const limits = new RateLimits({ requestsPerSecond: 1000, concurrency: 2, now: clock.now, sleep: clock.sleep });
    let inFlight = 0;
    let peak = 0;
    const call = (region: string) =>
      limits.gate(region)(async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await clock.sleep(100);
        inFlight--;
      });
    await clock.run(Promise.all([...Array.from({ length: 6 }, () => call('a'))]));
    expect(peak).toBe(2);
    expect(limits.bucket('a', 'x')).toBe(limits.bucket('a', 'x'));
    expect(limits.bucket('a', 'x')).not.toBe(limits.bucket('b', 'x'));
  });
});

type Step = { kind: 'burst'; n: number } | { kind: 'throttle'; retryAfterMs: number | null } | { kind: 'idle'; ms: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('burst' as const), n: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('throttle' as const), retryAfterMs: fc.option(fc.integer({ min: 1, max: 3_000 }), { nil: null }) }),
  fc.record({ kind: fc.constant('idle' as const), ms: fc.integer({ min: 1, max: 5_000 }) }),
);

async function play(steps: Step[], maxRps: number): Promise<{ grants: number[]; rates: number[]; lim: AdaptiveRateLimiter }> {
  const clock = new FakeClock(0);
  const grants: number[] = [];
  const rates: number[] = [];
  const lim = new AdaptiveRateLimiter({ maxRps, now: clock.now, sleep: clock.sleep, onRateChange: (r) => rates.push(r) });
  await clock.run(
    (async () => {
      for (const s of steps) {
        if (s.kind === 'burst') {
          await Promise.all(
            Array.from({ length: s.n }, async () => {
              grants.push(await lim.acquire());
              lim.onSuccess();
            }),
          );
        } else if (s.kind === 'throttle') {
          const t = await lim.acquire();
          grants.push(t);
          lim.onThrottle(t, s.retryAfterMs);
        } else {
          await clock.sleep(s.ms);
        }
      }
    })(),
  );
  return { grants, rates, lim };
}

describe('invariants (properties)', () => {
  const maxRpsArb = fc.oneof(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0.5, max: 60, noNaN: true }));

  it('never grants more than the configured rate over any window (one token of slack)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 25 }), maxRpsArb, async (steps, maxRps) => {
        const { grants } = await play(steps, maxRps);
        for (const windowMs of [1_000, 5_000]) {
          expect(maxInWindow(grants, windowMs)).toBeLessThanOrEqual(Math.floor((windowMs * maxRps) / 1000 + 1.25));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('keeps the rate between the floor and the configured maximum', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 25 }), maxRpsArb, async (steps, maxRps) => {
        const { rates, lim } = await play(steps, maxRps);
        for (const r of [...rates, lim.rate]) {
          expect(r).toBeGreaterThanOrEqual(Math.min(1, maxRps));
          expect(r).toBeLessThanOrEqual(maxRps);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('recovers to the configured rate once throttling stops', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ kind: fc.constant('throttle' as const), retryAfterMs: fc.option(fc.integer({ min: 1, max: 2_000 }), { nil: null }) }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 2, max: 20 }),
        async (throttles, maxRps) => {
          const steps: Step[] = throttles.flatMap((t) => [{ kind: 'burst', n: 10 } as Step, t]);
          const clock = new FakeClock(0);
          const lim = new AdaptiveRateLimiter({ maxRps, now: clock.now, sleep: clock.sleep });
          await clock.run(
            (async () => {
              for (const s of steps) {
                const t = await lim.acquire();
                if (s.kind === 'throttle') lim.onThrottle(t, s.retryAfterMs);
                else lim.onSuccess();
                await clock.sleep(600);
              }
            })(),
          );
          // Fifteen minutes of untroubled demand: recover, then probe back up to the configured rate.
          await saturate(clock, lim, clock.now() + 900_000);
          expect(lim.rate).toBe(maxRps);
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe('design goal against simulated quotas (2,000 deletions, concurrency 4)', () => {
  const shapes: QuotaShape[] = ['token-bucket', 'fixed-window', 'sliding-window'];
  const cases = shapes.flatMap((shape) =>
    [20, 100].flatMap((latencyMs) => [19, 1000].map((configuredRps) => ({ shape, latencyMs, configuredRps }))),
  );
  it.each(cases)('Q=20, $shape, latency $latencyMs ms, configured $configuredRps rps', async ({ shape, latencyMs, configuredRps }) => {
    const r = await runDeletions({ shape, quota: 20, configuredRps, latencyMs, concurrency: 4, n: 2000 });
    expect(r.failures).toBe(0);
    expect(r.throughput).toBeGreaterThanOrEqual(0.9 * 20);
    expect(r.throttled / r.calls).toBeLessThan(0.02);
  });

  it('holds for a quota below the slow-start rate too (Q=5, configured 1000)', async () => {
    const r = await runDeletions({ shape: 'token-bucket', quota: 5, configuredRps: 1000, latencyMs: 50, concurrency: 4, n: 2000 });
    expect(r.throughput).toBeGreaterThanOrEqual(0.9 * 5);
    expect(r.throttled / r.calls).toBeLessThan(0.02);
  });
});
