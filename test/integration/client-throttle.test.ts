/**
 * The adaptive limiter against the emulator's real quota (a token bucket of capacity Q refilled at
 * Q per second, with x-acs-retry-after). The full design-goal run (2,000 deletions) is opt-in:
 * CLIENT_BENCH=1 npx vitest run test/integration/client-throttle
 */
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type Fleet } from '../emulator/index.js';
import { R, testClient } from './client-harness.js';

function fleetOf(n: number): Fleet {
  return {
    regions: {
      [R]: { images: Array.from({ length: n }, (_, i) => ({ ImageId: `m-bulk${String(i).padStart(5, '0')}`, CreationTime: '2025-01-01T00:00:00Z' })) },
    },
  };
}

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({ fleet: fleetOf(0), port: 0 });
});

afterAll(async () => {
  await emu.close();
});

interface Run {
  elapsedMs: number;
  throughput: number;
  calls: number;
  throttled: number;
  failures: number;
  rates: number[];
}

/** Deletes `n` images, `sweepConcurrency` at a time as the sweep does, and measures. */
async function deleteAll(args: { n: number; qps: number; latencyMs: number; configuredRps: number; concurrency: number }): Promise<Run> {
  emu.loadFleet(fleetOf(args.n));
  emu.setBehaviour({ qps: { DeleteImage: args.qps }, latencyMs: args.latencyMs });
  const { client, events } = testClient(emu.url, { rate: { requestsPerSecond: args.configuredRps, concurrency: args.concurrency }, retry: { maxAttempts: 10, maxElapsedMs: 120_000 } });
  const sweep = pLimit(args.concurrency);
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: args.n }, (_, i) =>
      sweep(() => client.call('ecs.DeleteImage', R, { ImageId: `m-bulk${String(i).padStart(5, '0')}` }).catch(() => void failures++)),
    ),
  );
  const elapsedMs = performance.now() - started;
  const stats = client.stats();
  const rates = events.flatMap((e) => (e.type === 'rate' ? [e.rps] : []));
  return { elapsedMs, throughput: (args.n * 1000) / elapsedMs, calls: stats.calls, throttled: stats.throttled, failures, rates };
}

function describeRun(label: string, r: Run, q: number): string {
  return `${label}: ${r.throughput.toFixed(2)}/s (${((100 * r.throughput) / q).toFixed(1)} % of Q), throttled ${r.throttled}/${r.calls} (${((100 * r.throttled) / r.calls).toFixed(2)} %), failures ${r.failures}, rates ${r.rates.join(' → ')}`;
}

describe('a throttled burst', () => {
  it('slows down to the quota and completes with no failure (qps 5, 40 calls)', async () => {
    const r = await deleteAll({ n: 40, qps: 5, latencyMs: 0, configuredRps: 1000, concurrency: 4 });
    console.log(describeRun('qps 5, 40 calls', r, 5));
    expect(r.failures).toBe(0);
    expect(emu.state().regions[R]?.images ?? []).toHaveLength(0);
    // 40 calls against a bucket of 5 refilled at 5/s cannot finish in under 7 s.
    expect(r.elapsedMs).toBeGreaterThan(6_500);
    expect(r.throttled / r.calls).toBeLessThan(0.25);
    expect(Math.min(...r.rates)).toBeLessThan(10);
  }, 30_000);

  it('keeps near the quota with few throttles (qps 20, 200 calls, configured 1000)', async () => {
    const r = await deleteAll({ n: 200, qps: 20, latencyMs: 20, configuredRps: 1000, concurrency: 4 });
    console.log(describeRun('qps 20, 200 calls', r, 20));
    expect(r.failures).toBe(0);
    expect(r.throughput).toBeGreaterThan(0.8 * 20);
    // Finding the quota costs a bounded number of throttled calls, not a share of the run: the
    // server's burst of Q lets the ramp overshoot, and one measured window at most finds it. On a
    // loaded host (four calls in flight, the bucket not the bottleneck) this cost 7–16 calls; a
    // limiter that only cuts by a quarter per throttle spent 51 here.
    expect(r.throttled).toBeLessThanOrEqual(25);
  }, 30_000);
});

describe.runIf(process.env['CLIENT_BENCH'] === '1')('design goal: 2,000 deletions at quota Q=20', () => {
  const cases = [20, 100].flatMap((latencyMs) => [19, 1000].map((configuredRps) => ({ latencyMs, configuredRps })));
  it.each(cases)('latency $latencyMs ms, configured $configuredRps rps', async ({ latencyMs, configuredRps }) => {
    const r = await deleteAll({ n: 2000, qps: 20, latencyMs, configuredRps, concurrency: 4 });
    console.log(describeRun(`Q=20 latency ${latencyMs} configured ${configuredRps}`, r, 20));
    expect(r.failures).toBe(0);
    expect(r.throughput).toBeGreaterThanOrEqual(0.9 * 20);
    expect(r.throttled / r.calls).toBeLessThan(0.02);
  }, 200_000);
});
