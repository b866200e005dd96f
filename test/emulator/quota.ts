/**
 * Per-region, per-action API quotas as token buckets. ECS documents its limits per account,
 * region and API (alibaba-openapi.md §4.3); a continuous-refill bucket of capacity max(1, qps)
 * is the smooth version of that. A throttled request takes no token.
 */
import type { Product } from './fleet.js';

/** The quota for one action: `product.Action` wins over `Action`, which wins over `default`. */
export function quotaFor(qps: Readonly<Record<string, number>> | undefined, product: Product, action: string): number | undefined {
  if (!qps) return undefined;
  return qps[`${product}.${action}`] ?? qps[action] ?? qps.default;
}

interface Bucket {
  tokens: number;
  at: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

export class QuotaBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly qps: Readonly<Record<string, number>> | undefined,
    private readonly now: () => number = () => performance.now(),
  ) {}

  take(region: string, product: Product, action: string): TakeResult {
    const rate = quotaFor(this.qps, product, action);
    if (rate === undefined) return { ok: true };
    const capacity = Math.max(1, rate);
    const key = `${region}\n${product}\n${action}`;
    const t = this.now();
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = { tokens: capacity, at: t }));
    b.tokens = Math.min(capacity, b.tokens + ((t - b.at) / 1000) * rate);
    b.at = t;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    // Integer ms, at least 1, until the bucket holds a whole token again.
    return { ok: false, retryAfterMs: Math.max(1, Math.ceil(((1 - b.tokens) / rate) * 1000)) };
  }
}
