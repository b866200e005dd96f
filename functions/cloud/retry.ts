/**
 * When to try a failed call again, and how long to wait first. openapi-client never retries
 * (its autoretry options are dead code, openapi-client.md §2.4), so this is the only retry there is.
 */
import type { CloudError, ErrorClass } from './errors.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** From the first attempt's start: no retry is scheduled to start later than this. */
  readonly maxElapsedMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 200,
  maxDelayMs: 20_000,
  maxElapsedMs: 60_000,
};

/**
 * Throttled calls were refused before any effect, so any action may repeat them. A transient
 * failure (reset, timeout, 5xx) may or may not have taken effect, so only idempotent actions do.
 */
export function isRetryable(errorClass: ErrorClass, idempotent: boolean): boolean {
  if (errorClass === 'throttled') return true;
  if (errorClass === 'transient') return idempotent;
  return false;
}

/**
 * Exponential backoff with full jitter: uniform in [0, min(maxDelay, base·2^retry)), retry = 0
 * before the second attempt. Full jitter spreads clients that failed together (one throttled burst)
 * instead of sending them back in lockstep.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry));
  return Math.floor(random() * cap);
}

/** The server's x-acs-retry-after is a floor: retrying earlier is certain to be refused again. */
export function retryDelay(error: Pick<CloudError, 'retryAfterMs'>, retry: number, policy: RetryPolicy, random: () => number): number {
  return Math.max(error.retryAfterMs ?? 0, backoffDelay(retry, policy, random));
}

export type RetryDecision =
  | { readonly kind: 'retry'; readonly delayMs: number }
  | { readonly kind: 'stop'; readonly reason: 'final' | 'not-idempotent' | 'attempts' | 'elapsed' }
  /** The next attempt would start after the run's deadline. */
  | { readonly kind: 'deadline'; readonly delayMs: number };

export interface RetryInput {
  readonly error: Pick<CloudError, 'errorClass' | 'retryAfterMs'>;
  /** Attempts made so far, the failed one included. */
  readonly attempts: number;
  readonly firstAttemptAt: number;
  readonly now: number;
  readonly idempotent: boolean;
  readonly policy: RetryPolicy;
  readonly deadline?: number | undefined;
  readonly random: () => number;
}

export function decideRetry(input: RetryInput): RetryDecision {
  const { error, attempts, policy } = input;
  if (!isRetryable(error.errorClass, input.idempotent)) {
    return { kind: 'stop', reason: error.errorClass === 'final' ? 'final' : 'not-idempotent' };
  }
  if (attempts >= policy.maxAttempts) return { kind: 'stop', reason: 'attempts' };
  const delayMs = retryDelay(error, attempts - 1, policy, input.random);
  const startsAt = input.now + delayMs;
  if (startsAt - input.firstAttemptAt > policy.maxElapsedMs) return { kind: 'stop', reason: 'elapsed' };
  if (input.deadline !== undefined && startsAt > input.deadline) return { kind: 'deadline', delayMs };
  return { kind: 'retry', delayMs };
}
