/**
 * Deadline (issue #7): with the cloud slow or hanging on every deletion, a run stops starting work
 * at its deadline, logs what it left (outcome `skipped`, code Deadline), writes run.finish and
 * returns, in bounded time.
 *
 * - Through the Function Compute handler with slow deletions (latency): a 31 s function keeps a
 *   30 s margin, so its deadline is 1 s after the start.
 * - With DeleteImage hanging on every attempt (fault kind timeout at rate 1), through runCollector
 *   with a client whose read timeout is short: the handler's client uses the production 10 s read
 *   timeout, which no option shortens, so the hang case is run directly (the soak runs the handler
 *   variant against a 40 s function).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { FcContext } from '../../functions/fc-types.js';
import { createHandler } from '../../functions/handler.js';
import type { Fleet } from '../emulator/index.js';
import { TEST_KEY, emulatorWith, idsIn, logSink, tempDir, writePolicy } from '../support/e2e.js';
import { ago } from '../support/fleets.js';
import { Figures } from '../support/reliability-figures.js';
import { auditOf, directRun, policyFromText, type RunAudit } from '../support/reliability.js';

const figures = new Figures('deadline');
afterAll(() => {
  figures.write();
});

/** The function role's STS keys, as Function Compute hands them to the handler. */
const STS = { accessKeyId: 'STS.reliability-deadline-01', accessKeySecret: 'reliability-deadline-secret-01', securityToken: 'reliability-deadline-token-01' };

const POLICY = `version: 1
mode: enforce
regions: [cn-hangzhou]
limits: { maxDeletionsPerRun: 100, maxDeletionPercent: 100, concurrency: 2, requestsPerSecond: 100 }
rules:
  - name: builds
    resource: ecs-image
    keep: { newest: 1 }
`;

/** Builds old relative to the real clock (the handler ages against it), one in use. */
function fleet(n: number): Fleet {
  const now = new Date();
  return {
    credentials: [STS, TEST_KEY],
    regions: {
      'cn-hangzhou': {
        images: [
          ...Array.from({ length: n }, (_, i) => ({ ImageId: `m-d${i}`, ImageName: `build-${i}`, CreationTime: ago(10 + i, now) })),
          { ImageId: 'm-used', ImageName: 'build-used', CreationTime: ago(500, now), usedByInstances: 1 },
        ],
      },
    },
  };
}

function expectLeftWithRecord(a: RunAudit, lines: readonly Record<string, unknown>[]): void {
  expect(a.finishLines).toBe(1);
  expect(a.lost).toEqual([]);
  expect(a.duplicated).toEqual([]);
  expect(a.skipped.length).toBeGreaterThan(0);
  for (const l of lines.filter((x) => x['event'] === 'item.outcome' && x['outcome'] === 'skipped')) expect(l['code']).toBe('Deadline');
  const finish = lines.find((l) => l['event'] === 'run.finish')!;
  expect(finish['completed']).toBe(false);
  expect(finish['leftByDeadline']).toBe(a.skipped.length);
  expect(finish['exitStatus']).toBe(1);
}

describe('deadline', () => {
  it('the handler with slow deletions stops starting them at its deadline, logs what it left, and returns', async () => {
    const emu = await emulatorWith({ ...fleet(20), behaviour: { latencyMs: { DeleteImage: 400 } } });
    const saved = { ...process.env };
    try {
      process.env['IMAGE_GC_ENDPOINT'] = emu.url;
      process.env['IMAGE_GC_POLICY'] = writePolicy(tempDir(), POLICY);
      delete process.env['IMAGE_GC_MODE'];
      const context: FcContext = { requestId: 'r-deadline', credentials: STS, function: { name: 'image-gc', handler: 'index.handler', memory: 512, timeout: 31 }, region: 'cn-hangzhou', accountId: '1' };
      const sink = logSink();
      const started = Date.now();
      const summary = await createHandler({ destination: sink.destination })(Buffer.from(''), context);
      const elapsed = Date.now() - started;
      await new Promise((r) => setImmediate(r));
      const a = auditOf(sink.lines);
      expectLeftWithRecord(a, sink.lines);
      expect(summary.outcomes.skipped).toBe(a.skipped.length);
      // Deadline 1 s after the start; a deletion started just before it takes 400 ms more.
      expect(elapsed).toBeLessThan(1000 + 400 + 1500);
      // No deletion was sent after the deadline: the first call marks the start on the emulator's clock.
      const calls = emu.calls();
      const t0 = calls[0]!.t;
      const late = calls.filter((c) => c.action === 'DeleteImage' && c.t > t0 + 1000 + 150);
      expect(late).toEqual([]);
      expect(idsIn(emu.state()).has('m-used')).toBe(true);
      figures.add({
        part: 'deadline: handler, slow deletions',
        runs: 1,
        faults: { 'slow answer': calls.filter((c) => c.action === 'DeleteImage').length },
        items: 21,
        candidatesDeleted: a.deleted.length,
        protectedDeleted: idsIn(emu.state()).has('m-used') ? 0 : 1,
        lostOutcomes: a.lost.length + a.duplicated.length,
        reruns: 0,
        rerunsConverged: 0,
        note: `returned ${elapsed} ms after the start (deadline at 1000 ms); ${a.skipped.length} skipped`,
      });
    } finally {
      process.env = saved;
      await emu.close();
    }
  });

  it('with every DeleteImage hanging, the run ends in bounded time with each candidate failed or skipped, and a rerun without the hang converges', async () => {
    const emu = await emulatorWith({ ...fleet(12), behaviour: { faults: { rate: 1, kinds: ['timeout'], actions: ['DeleteImage'] } } });
    try {
      const policy = policyFromText(POLICY);
      const started = Date.now();
      const sweepDeadline = started + 1500;
      const clientDeadline = started + 2500;
      const r = await directRun(emu, policy, { now: new Date(), deadline: sweepDeadline, client: { readTimeoutMs: 300, deadline: clientDeadline } });
      expect(r.thrown).toBeNull();
      const a = auditOf(r.lines);
      expectLeftWithRecord(a, r.lines);
      expect(a.deleted).toEqual([]);
      // Bounded: the client starts no attempt after its deadline, and an attempt lasts one read timeout.
      expect(r.elapsedMs).toBeLessThan(2500 + 300 + 1000);
      for (const l of r.lines.filter((x) => x['event'] === 'item.outcome' && x['outcome'] === 'failed')) {
        expect(['Timeout', 'DeadlineExceeded']).toContain(l['code']);
      }
      const hangs = emu.calls().filter((c) => c.fault === 'timeout').length;
      expect(hangs).toBeGreaterThan(0);

      emu.setBehaviour({ faults: undefined });
      const rerun = await directRun(emu, policy, { now: new Date() });
      const b = auditOf(rerun.lines);
      expect(b.failed).toEqual([]);
      expect([...idsIn(emu.state())].sort()).toEqual(['m-d0', 'm-used']);
      figures.add({
        part: 'deadline: DeleteImage hangs (timeout at rate 1)',
        runs: 2,
        faults: { timeout: hangs },
        items: 13,
        candidatesDeleted: 11 - [...idsIn(emu.state())].filter((id) => id !== 'm-d0' && id !== 'm-used').length,
        protectedDeleted: idsIn(emu.state()).has('m-used') ? 0 : 1,
        lostOutcomes: a.lost.length + a.duplicated.length + b.lost.length + b.duplicated.length,
        reruns: 1,
        rerunsConverged: 1,
        note: `hung run ended ${r.elapsedMs} ms after the start (sweep deadline 1500 ms, client deadline 2500 ms): ${a.failed.length} failed, ${a.skipped.length} skipped`,
      });
    } finally {
      await emu.close();
    }
  });
});
