/**
 * A simulated cloud for the limiter tests: a per-second quota in one of the three shapes a server
 * might use, answer latency, all on the FakeClock. It answers through the client's Transport seam
 * with the same error object openapi-client throws for Throttling.
 */
import pLimit from 'p-limit';
import { CloudClient, type ClientEvent } from '../../functions/cloud/client.js';
import type { Transport, WireResult } from '../../functions/cloud/transport.js';
import { FakeClock } from './cloud-fake-clock.js';

export type QuotaShape = 'fixed-window' | 'sliding-window' | 'token-bucket';

export type Admission = { ok: true } | { ok: false; retryAfterMs: number };

export interface Quota {
  admit(t: number): Admission;
}

/** At most q calls in each calendar second; retry after the next second starts. */
export function fixedWindow(q: number): Quota {
  let window = -1;
  let count = 0;
  return {
    admit(t) {
      const w = Math.floor(t / 1000);
      if (w !== window) {
        window = w;
        count = 0;
      }
      if (count < q) {
        count++;
        return { ok: true };
      }
      return { ok: false, retryAfterMs: (w + 1) * 1000 - t };
    },
  };
}

/** At most q calls in any 1000 ms; retry when the oldest leaves the window. */
export function slidingWindow(q: number): Quota {
  let admitted: number[] = [];
  return {
    admit(t) {
      admitted = admitted.filter((a) => a > t - 1000);
      if (admitted.length < q) {
        admitted.push(t);
        return { ok: true };
      }
      return { ok: false, retryAfterMs: Math.max(1, (admitted[0] as number) + 1000 - t) };
    },
  };
}

/** A bucket of capacity q refilled at q per second: allows one burst of q. */
export function tokenBucket(q: number): Quota {
  let tokens = q;
  let last = -Infinity;
  return {
    admit(t) {
      tokens = Math.min(q, tokens + (last === -Infinity ? 0 : ((t - last) * q) / 1000));
      last = t;
      if (tokens >= 1) {
        tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterMs: Math.max(1, Math.ceil(((1 - tokens) * 1000) / q)) };
    },
  };
}

export function quotaOf(shape: QuotaShape, q: number): Quota {
  return shape === 'fixed-window' ? fixedWindow(q) : shape === 'sliding-window' ? slidingWindow(q) : tokenBucket(q);
}

/** The object openapi-client throws for an error answer (tea-typescript ResponseError). */
export function responseError(code: string, statusCode: number, message = 'simulated', requestId = 'REQ-SIM'): Error {
  const data = { RequestId: requestId, HostId: 'sim', Code: code, Message: message, statusCode };
  const e = new Error(`${code}: code: ${statusCode}, ${message} request id: ${requestId}`) as Error & Record<string, unknown>;
  Object.assign(e, { code, statusCode, data, description: 'undefined', accessDeniedDetail: undefined });
  return e;
}

export function simulatedCloud(clock: FakeClock, quota: Quota, latencyMs: number, opts: { sendRetryAfter?: boolean } = {}): Transport {
  return async (): Promise<WireResult> => {
    await clock.sleep(latencyMs / 2);
    const admission = quota.admit(clock.now());
    await clock.sleep(latencyMs / 2);
    if (admission.ok) return { ok: true, body: { RequestId: 'REQ-SIM' }, httpStatus: 200, headers: {} };
    const headers: Record<string, string> = opts.sendRetryAfter === false ? {} : { 'x-acs-retry-after': String(admission.retryAfterMs) };
    return { ok: false, error: responseError('Throttling', 400, 'Request was denied due to request throttling.'), httpStatus: 400, headers };
  };
}

export interface RunResult {
  readonly calls: number;
  readonly throttled: number;
  readonly failures: number;
  readonly elapsedMs: number;
  /** Completed deletions per second. */
  readonly throughput: number;
  readonly events: ClientEvent[];
}

/** `n` DeleteImage calls through the client, `concurrency` at a time like the sweep issues them. */
export async function runDeletions(args: {
  shape: QuotaShape;
  quota: number;
  configuredRps: number;
  latencyMs: number;
  concurrency: number;
  n: number;
  sendRetryAfter?: boolean;
  seed?: number;
}): Promise<RunResult> {
  const clock = new FakeClock();
  const events: ClientEvent[] = [];
  let seed = args.seed ?? 42;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const client = new CloudClient({
    credentials: { kind: 'static', accessKeyId: 'testid', accessKeySecret: 'testsecret' },
    transport: simulatedCloud(clock, quotaOf(args.shape, args.quota), args.latencyMs, { sendRetryAfter: args.sendRetryAfter ?? true }),
    rate: { requestsPerSecond: args.configuredRps, concurrency: args.concurrency },
    retry: { maxAttempts: 10, maxElapsedMs: 600_000 },
    now: clock.now,
    sleep: clock.sleep,
    random,
    onEvent: (e) => events.push(e),
  });
  const started = clock.now();
  const sweepLimit = pLimit(args.concurrency);
  let failures = 0;
  const work = Promise.all(
    Array.from({ length: args.n }, (_, i) =>
      sweepLimit(() => client.call('ecs.DeleteImage', 'cn-hangzhou', { ImageId: `m-${i}` }).catch(() => void failures++)),
    ),
  );
  await clock.run(work);
  const elapsedMs = clock.now() - started;
  const stats = client.stats();
  return { calls: stats.calls, throttled: stats.throttled, failures, elapsedMs, throughput: (args.n * 1000) / elapsedMs, events };
}
