import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, decideRetry, DEFAULT_RETRY_POLICY, isRetryable, retryDelay, type RetryPolicy } from '../../functions/cloud/retry.js';

/** A seeded PRNG (mulberry32), so a schedule is reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const policy: RetryPolicy = { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 2_000, maxElapsedMs: 60_000 };

describe('backoff with full jitter', () => {
  it('stays within [0, min(max, base·2^retry)) for a seeded schedule, and spreads out', () => {
    const random = seeded(7);
    for (let retry = 0; retry < 10; retry++) {
      const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
      const delays = Array.from({ length: 200 }, () => backoffDelay(retry, policy, random));
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...delays)).toBeLessThan(cap);
      // Full jitter: the draws cover the range, not a fixed point.
      expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(cap * 0.8);
    }
  });

  it('gives the same schedule for the same seed', () => {
    const a = seeded(3);
    const b = seeded(3);
    const schedule = (r: () => number) => [0, 1, 2, 3, 4].map((n) => backoffDelay(n, policy, r));
    expect(schedule(a)).toEqual(schedule(b));
  });

  it('never exceeds maxDelayMs, whatever the retry number (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (retry, r) => {
        const d = backoffDelay(retry, policy, () => r);
        return d >= 0 && d < policy.maxDelayMs;
      }),
    );
  });
});

describe('x-acs-retry-after', () => {
  it('is a floor under the jittered delay', () => {
    expect(retryDelay({ retryAfterMs: 900 }, 0, policy, () => 0.5)).toBe(900);
    expect(retryDelay({ retryAfterMs: 10 }, 4, policy, () => 0.5)).toBe(800);
    expect(retryDelay({ retryAfterMs: null }, 0, policy, () => 0.5)).toBe(50);
  });

  it('is honoured by decideRetry (property: delay ≥ retry-after)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30_000 }), fc.integer({ min: 1, max: 5 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (after, attempts, r) => {
        const d = decideRetry({ error: { errorClass: 'throttled', retryAfterMs: after }, attempts, firstAttemptAt: 0, now: 0, idempotent: true, policy, random: () => r });
        return d.kind !== 'retry' || d.delayMs >= after;
      }),
    );
  });
});

describe('which errors are retried', () => {
  it('retries throttled always, transient only when idempotent, final never', () => {
    expect(isRetryable('throttled', false)).toBe(true);
    expect(isRetryable('transient', true)).toBe(true);
    expect(isRetryable('transient', false)).toBe(false);
    expect(isRetryable('final', true)).toBe(false);
  });

  it('stops a final error at once', () => {
    expect(decideRetry({ error: { errorClass: 'final', retryAfterMs: null }, attempts: 1, firstAttemptAt: 0, now: 0, idempotent: true, policy, random: Math.random })).toEqual({ kind: 'stop', reason: 'final' });
  });

  it('stops a transient error on a non-idempotent action', () => {
    expect(decideRetry({ error: { errorClass: 'transient', retryAfterMs: null }, attempts: 1, firstAttemptAt: 0, now: 0, idempotent: false, policy, random: Math.random })).toEqual({ kind: 'stop', reason: 'not-idempotent' });
  });
});

describe('limits', () => {
  const transient = { errorClass: 'transient', retryAfterMs: null } as const;

  it('stops after maxAttempts', () => {
    expect(decideRetry({ error: transient, attempts: 5, firstAttemptAt: 0, now: 0, idempotent: true, policy, random: () => 0 }).kind).toBe('retry');
    expect(decideRetry({ error: transient, attempts: 6, firstAttemptAt: 0, now: 0, idempotent: true, policy, random: () => 0 })).toEqual({ kind: 'stop', reason: 'attempts' });
  });

  it('stops when the retry would start after maxElapsedMs', () => {
    const d = decideRetry({ error: { errorClass: 'throttled', retryAfterMs: 5_000 }, attempts: 1, firstAttemptAt: 0, now: 56_000, idempotent: true, policy, random: () => 0 });
    expect(d).toEqual({ kind: 'stop', reason: 'elapsed' });
  });

  it('reports the deadline when the retry would start after it', () => {
    const d = decideRetry({ error: { errorClass: 'throttled', retryAfterMs: 2_000 }, attempts: 1, firstAttemptAt: 0, now: 1_000, idempotent: true, policy, deadline: 2_500, random: () => 0 });
    expect(d).toEqual({ kind: 'deadline', delayMs: 2_000 });
    expect(decideRetry({ error: { errorClass: 'throttled', retryAfterMs: 1_000 }, attempts: 1, firstAttemptAt: 0, now: 1_000, idempotent: true, policy, deadline: 2_500, random: () => 0 }).kind).toBe('retry');
  });

  it('has sane defaults', () => {
    expect(DEFAULT_RETRY_POLICY).toMatchObject({ maxAttempts: 6, maxElapsedMs: 60_000 });
  });
});
