/**
 * Two runs at once against one fleet (issue #7): two timer invocations that overlap, or a person
 * running the CLI while the function runs. No image is deleted twice, and neither run reports a
 * failure for an image the other removed (already-gone is fine); together they end at exactly the
 * plan's target; nothing the plan protects or keeps is touched.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { CloudApi } from '../../functions/cloud/api.js';
import { createCloudClient } from '../../functions/cloud/client.js';
import type { Emulator, Fleet } from '../emulator/index.js';
import { startCli } from '../support/cli-child.js';
import { TEST_KEY, emulatorWith, envFor, idsIn, mutatingCalls, tempDir, writePolicy } from '../support/e2e.js';
import { E2E_NOW, ago } from '../support/fleets.js';
import { Figures, type FigureRow } from '../support/reliability-figures.js';
import { MIXED_POLICY, auditOf, cleanPlan, directRun, expectationOf, mixedFleet, policyFromText, targetsOf, type Expectation, type Line, type RunAudit } from '../support/reliability.js';

const figures = new Figures('concurrent');
afterAll(() => {
  figures.write();
});

const SLOW_MUTATIONS = { latencyMs: { DeleteImage: 15, RemoveImage: 15, DeleteImagePipeline: 15 } };

/** The invariants of two runs that overlapped, from their logs and the cloud's. */
function expectTogetherSafe(emu: Emulator, exp: Expectation, runs: ReadonlyArray<{ lines: Line[]; audit: RunAudit }>): { deleted: number; failedForOther: string[] } {
  const [a, b] = runs.map((r) => r.audit) as [RunAudit, RunAudit];
  for (const r of runs) {
    expect(r.audit.finishLines).toBe(1);
    expect(r.audit.lost).toEqual([]);
    expect(r.audit.duplicated).toEqual([]);
  }
  expect(a.deleted.filter((id) => b.deleted.includes(id)), 'deleted by both').toEqual([]);
  // A failure for an image that the other run deleted is the failure the issue forbids.
  const removedByOther = (mine: RunAudit, other: RunAudit) => mine.failed.filter((id) => other.deleted.includes(id));
  const failedForOther = [...removedByOther(a, b), ...removedByOther(b, a)];
  const touched = mutatingCalls(emu.calls()).flatMap(targetsOf).filter((id) => exp.keeps.has(id));
  expect(touched, 'mutating calls on protected or kept items').toEqual([]);
  return { deleted: a.deleted.length + b.deleted.length, failedForOther };
}

/**
 * The figures row of runs that overlapped, from their audits and the cloud's state afterwards. Each
 * part reruns once (a sequential run, or the check that the fleet is at the target) before it counts.
 */
const alreadyGoneNote = (runs: ReadonlyArray<{ audit: RunAudit }>) => `already-gone: ${runs.map((r) => r.audit.alreadyGone.length).join(' + ')}`;

function togetherRow(
  part: string,
  emu: Emulator,
  exp: Expectation,
  row: { runs: number; items: number; deleted: number; note: string },
  runs: ReadonlyArray<{ audit: RunAudit }>,
): FigureRow {
  const after = idsIn(emu.state());
  return {
    part,
    runs: row.runs,
    faults: { 'concurrent run': 1 },
    items: row.items,
    candidatesDeleted: row.deleted,
    protectedDeleted: exp.target.filter((id) => !after.has(id)).length,
    lostOutcomes: runs.reduce((n, r) => n + r.audit.lost.length + r.audit.duplicated.length, 0),
    reruns: 1,
    rerunsConverged: JSON.stringify([...after].sort()) === JSON.stringify(exp.target) ? 1 : 0,
    note: row.note,
  };
}

describe('two runs at once', () => {
  it('in one process (two overlapping invocations): nothing deleted twice, no failure for what the other removed, converges', async () => {
    const emu = await emulatorWith({ ...mixedFleet(6), behaviour: SLOW_MUTATIONS });
    try {
      const policy = policyFromText(MIXED_POLICY);
      const before = emu.state();
      const exp = expectationOf(await cleanPlan(emu, policy), before);
      emu.clearCalls();
      const [r1, r2] = await Promise.all([directRun(emu, policy), directRun(emu, policy)]);
      const runs = [r1, r2].map((r) => ({ lines: r.lines, audit: auditOf(r.lines) }));
      const { deleted, failedForOther } = expectTogetherSafe(emu, exp, runs);
      expect(failedForOther).toEqual([]);
      expect(runs.flatMap((r) => r.audit.failed)).toEqual([]);
      expect([...idsIn(emu.state())].sort()).toEqual(exp.target);
      figures.add(togetherRow('two runs at once (in-process)', emu, exp, { runs: 2, items: idsIn(before).size, deleted, note: alreadyGoneNote(runs) }, runs));
    } finally {
      await emu.close();
    }
  });

  it('as two CLI processes: the same', async () => {
    const emu = await emulatorWith({ ...mixedFleet(6), behaviour: SLOW_MUTATIONS });
    try {
      const dir = tempDir('image-gc-two-');
      const policyFile = writePolicy(dir, MIXED_POLICY);
      const before = emu.state();
      const exp = expectationOf(await cleanPlan(emu, policyFromText(MIXED_POLICY)), before);
      emu.clearCalls();
      const argv = (n: number) => ['run', '--policy', policyFile, '--now', E2E_NOW.toISOString(), '--log', `${dir}/run-${n}.jsonl`];
      const children = await Promise.all([startCli(argv(1), envFor(emu)), startCli(argv(2), envFor(emu))]);
      const ends = await Promise.all(children.map((c) => c.exited));
      const runs = [1, 2].map((n) => {
        const lines = readFileSync(`${dir}/run-${n}.jsonl`, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Line);
        return { lines, audit: auditOf(lines) };
      });
      for (const e of ends) expect(e.code, e.stderr).toBe(0);
      const { deleted, failedForOther } = expectTogetherSafe(emu, exp, runs);
      expect(failedForOther).toEqual([]);
      expect([...idsIn(emu.state())].sort()).toEqual(exp.target);
      figures.add(togetherRow('two runs at once (two CLI processes)', emu, exp, { runs: 2, items: idsIn(before).size, deleted, note: alreadyGoneNote(runs) }, runs));
    } finally {
      await emu.close();
    }
  });

  it('on a region listed in several pages while the other run deletes: no deletion twice, no failure for what the other removed, nothing kept touched, a third run converges', async () => {
    const fleet: Fleet = {
      regions: {
        'cn-hangzhou': {
          images: Array.from({ length: 160 }, (_, i) => ({ ImageId: `m-c${i}`, ImageName: `build-${i % 3}-${i}`, CreationTime: ago(1 + i), ImageFamily: `fam-${i % 3}`, ...(i % 37 === 5 ? { usedByInstances: 1 } : {}) })),
        },
      },
      behaviour: { latencyMs: { DeleteImage: 5 } },
    };
    const policyText = `version: 1
mode: enforce
regions: [cn-hangzhou]
limits: { maxDeletionsPerRun: 1000, maxDeletionPercent: 100, requestsPerSecond: 300 }
rules:
  - name: builds
    resource: ecs-image
    keep: { newest: 25, groupBy: family }
`;
    const emu = await emulatorWith(fleet);
    try {
      const policy = policyFromText(policyText);
      const exp = expectationOf(await cleanPlan(emu, policy), emu.state());
      emu.clearCalls();
      // The second run starts while the first is deleting, so it pages through a shrinking list.
      const first = directRun(emu, policy);
      await new Promise((r) => setTimeout(r, 400));
      const second = directRun(emu, policy);
      const [r1, r2] = await Promise.all([first, second]);
      const runs = [r1, r2].map((r) => ({ lines: r.lines, audit: auditOf(r.lines) }));
      const { deleted, failedForOther } = expectTogetherSafe(emu, exp, runs);
      expect(failedForOther).toEqual([]);
      const third = await directRun(emu, policy);
      expect(auditOf(third.lines).failed).toEqual([]);
      expect([...idsIn(emu.state())].sort()).toEqual(exp.target);
      figures.add(
        togetherRow(
          'two runs at once (paged region)',
          emu,
          exp,
          {
            runs: 3,
            items: 160,
            deleted: deleted + auditOf(third.lines).deleted.length,
            note: `second run: ${runs[1]!.audit.listingFailures} listings failed, ${runs[1]!.audit.alreadyGone.length} already-gone`,
          },
          runs,
        ),
      );
    } finally {
      await emu.close();
    }
  });

  // Another run deleting a newer image of the group makes this one among the newest again: the re-check re-reads the group's newer items.
  it('an image that became one of the newest because another run deleted a newer one is not deleted', async () => {
    const emu = await emulatorWith({ regions: { 'cn-hangzhou': { images: Array.from({ length: 4 }, (_, i) => ({ ImageId: `m-k${i}`, ImageName: `build-${i}`, CreationTime: ago(1 + i * 10) })) } } });
    try {
      const policy = policyFromText(`version: 1
mode: enforce
regions: [cn-hangzhou]
limits: { maxDeletionsPerRun: 100, maxDeletionPercent: 100, concurrency: 1 }
rules:
  - name: builds
    resource: ecs-image
    keep: { newest: 2 }
`);
      const other = createCloudClient({ credentials: { kind: 'static', ...TEST_KEY }, endpoint: emu.url });
      let listed = false;
      let struck = false;
      // After our listing, before our first deletion (or its re-read), the other run deletes m-k0.
      const wrap = (api: CloudApi): CloudApi => ({
        async call(action, region, params) {
          const afterListing = listed && !struck && (action === 'ecs.DeleteImage' || (action === 'ecs.DescribeImages' && params['ImageId'] !== undefined));
          if (afterListing) {
            struck = true;
            await other.call('ecs.DeleteImage', 'cn-hangzhou', { RegionId: 'cn-hangzhou', ImageId: 'm-k0' });
          }
          const body = await api.call(action, region, params);
          if (action === 'ecs.DescribeImages' && params['ImageOwnerAlias'] === 'self') listed = true;
          return body;
        },
      });
      await directRun(emu, policy, { wrapApi: wrap });
      expect(struck).toBe(true);
      expect(idsIn(emu.state()).has('m-k2'), 'm-k2 is one of the 2 newest images left').toBe(true);
    } finally {
      await emu.close();
    }
  });
});
