/**
 * Hostile API answers (issue #7): fields missing or mistyped, creation times unparseable or in the
 * future, IDs repeated across pages, items vanishing or appearing between pages, a TotalCount that
 * lies, an empty page before the end, an enormous page. The run never crashes; an item it cannot
 * be sure of is kept with a logged reason (decision protect, or its group left out with
 * `inventory.failed`); nothing it cannot be sure of is deleted.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { CloudApi } from '../../functions/cloud/api.js';
import { createCloudClient } from '../../functions/cloud/client.js';
import type { Fleet, FleetImage, FleetPipeline, WuyingImage } from '../emulator/index.js';
import { TEST_KEY, emulatorWith, idsIn, mutatingCalls } from '../support/e2e.js';
import { ago } from '../support/fleets.js';
import { Figures } from '../support/reliability-figures.js';
import { auditOf, cleanPlan, directRun, expectationOf, policyFromText, targetsOf, type Line } from '../support/reliability.js';

const figures = new Figures('hostile-answers');
const tally = { runs: 0, hostile: 0, paging: 0, items: 0, deleted: 0, protectedDeleted: 0, lost: 0, reruns: 0, converged: 0 };
afterAll(() => {
  figures.add({
    part: 'hostile API answers (passing cases)',
    runs: tally.runs,
    faults: { 'hostile answer': tally.hostile, 'paging anomaly': tally.paging },
    items: tally.items,
    candidatesDeleted: tally.deleted,
    protectedDeleted: tally.protectedDeleted,
    lostOutcomes: tally.lost,
    reruns: tally.reruns,
    rerunsConverged: tally.converged,
    note: 'fields missing or mistyped, bad times, paging anomalies, items moving between pages',
  });
  figures.write();
});

function policy(rules: string, regions = '[cn-hangzhou]', limits = 'maxDeletionPercent: 100, maxDeletionsPerRun: 1000, requestsPerSecond: 200'): string {
  return `version: 1\nmode: enforce\nregions: ${regions}\nlimits: { ${limits} }\nrules:\n${rules}`;
}

interface Outcome {
  readonly lines: Line[];
  readonly decision: (id: string) => Line | undefined;
  readonly outcome: (id: string) => Line | undefined;
  readonly after: Set<string>;
  readonly mutated: Set<string>;
}

/** One enforce run against `fleet`; asserts the run itself held together (no throw, run.finish, one outcome per candidate). */
async function runOn(fleet: Fleet, policyText: string, opts: { wrapApi?: (api: CloudApi) => CloudApi; hostile?: number; paging?: number; count?: boolean } = {}): Promise<Outcome> {
  const emu = await emulatorWith(fleet);
  try {
    const r = await directRun(emu, policyFromText(policyText), opts.wrapApi ? { wrapApi: opts.wrapApi } : {});
    expect(r.thrown).toBeNull();
    const a = auditOf(r.lines);
    expect(a.finishLines).toBe(1);
    expect(a.lost).toEqual([]);
    expect(a.duplicated).toEqual([]);
    const after = idsIn(emu.state());
    if (opts.count !== false) {
      tally.runs++;
      tally.hostile += opts.hostile ?? 0;
      tally.paging += opts.paging ?? 0;
      tally.items += idsIn(fleet).size;
      tally.deleted += a.deleted.length;
      tally.lost += a.lost.length + a.duplicated.length;
    }
    const find = (event: string) => (id: string) => r.lines.find((l) => l['event'] === event && l['id'] === id);
    return { lines: r.lines, decision: find('item.decision'), outcome: find('item.outcome'), after, mutated: new Set(mutatingCalls(emu.calls()).flatMap(targetsOf)) };
  } finally {
    await emu.close();
  }
}

/** Asserts the item was protected for `reason`, logged, and never named by a mutating call. */
function expectProtected(o: Outcome, id: string, reason: string, fleetId = id): void {
  const d = o.decision(id);
  expect(d, `${id}: a decision line`).toBeDefined();
  expect(d?.['decision'], `${id}: ${String(d?.['detail'])}`).toBe('protect');
  expect(String(d?.['reasons']).split(','), `${id}: ${String(d?.['detail'])}`).toContain(reason);
  expect(o.mutated.has(id), `${id} was named by a mutating call`).toBe(false);
  expect(o.after.has(fleetId), `${fleetId} is gone`).toBe(true);
  if (!o.after.has(fleetId) || o.mutated.has(id)) tally.protectedDeleted++;
}

const old = (days: number) => ago(days);

// ------------------------------------------------------------------------------------ ECS images

const ECS_CASES: Array<[string, Record<string, unknown>, string]> = [
  ['no CreationTime', { CreationTime: null }, 'unknown-age'],
  ['CreationTime not a time', { CreationTime: 'soon' }, 'unknown-age'],
  ['CreationTime 30 February', { CreationTime: '2024-02-30T00:00:00Z' }, 'unknown-age'],
  ['CreationTime without a zone', { CreationTime: '2020-01-01T00:00:00' }, 'unknown-age'],
  ['CreationTime a number', { CreationTime: 1_700_000_000_000 }, 'unknown-age'],
  ['CreationTime in the future', { CreationTime: '2099-01-01T00:00:00Z' }, 'unknown-age'],
  ['no Usage', { Usage: null }, 'in-use'],
  ['Usage a number', { Usage: 3 }, 'in-use'],
  ['Usage in another case', { Usage: 'Instance' }, 'in-use'],
  ['no IsSelfShared', { IsSelfShared: null }, 'shared'],
  ['IsSelfShared a number', { IsSelfShared: 1 }, 'shared'],
  ['no IsPublic', { IsPublic: null }, 'public'],
  ['IsPublic "yes"', { IsPublic: 'yes' }, 'public'],
  ['no ImageOwnerAlias', { ImageOwnerAlias: null }, 'not-owned'],
  ['ImageOwnerAlias a number', { ImageOwnerAlias: 1 }, 'not-owned'],
  ['no Status', { Status: null }, 'busy'],
  ['an undocumented Status', { Status: 'Frobnicating' }, 'busy'],
  ['Progress 50%', { Progress: '50%' }, 'busy'],
];

describe('hostile API answers: fields', () => {
  it('ECS DescribeImages: every field it cannot read protects the image, with the reason logged', async () => {
    const images: FleetImage[] = ECS_CASES.map(([, answer], i) => ({ ImageId: `m-hostile${i}`, ImageName: `build-${i}`, CreationTime: old(100 + i), answer }));
    // Harmless oddities: the image is still what it is; deleting it is what the policy says.
    images.push({ ImageId: 'm-sizestr', ImageName: 'build-sizestr', CreationTime: old(200), answer: { Size: '40' } });
    images.push({ ImageId: 'm-extra', ImageName: 'build-extra', CreationTime: old(201), answer: { Unknown: { deep: [1, 2] } } });
    const o = await runOn({ regions: { 'cn-hangzhou': { images } } }, policy('  - name: all\n    resource: ecs-image\n    keep: {}\n'), { hostile: ECS_CASES.length + 2 });
    ECS_CASES.forEach(([, , reason], i) => expectProtected(o, `m-hostile${i}`, reason));
    expect(o.outcome('m-sizestr')?.['outcome']).toBe('deleted');
    expect(o.outcome('m-extra')?.['outcome']).toBe('deleted');
  });

  it('E-HPC: an image ECS does not know, or whose ECS answer is unreadable, is protected', async () => {
    const hpc = (id: string, extra: Partial<FleetImage>): FleetImage => ({ ImageId: id, ImageName: `hpc-${id}`, CreationTime: old(100), ImageFamily: 'hpc', ehpc: { osTag: 'CentOS_7.9_64', instantRegistered: true }, ...extra });
    const fleet: Fleet = {
      regions: {
        'cn-hangzhou': {
          images: [
            hpc('m-hnotime', { answer: { CreationTime: null } }),
            hpc('m-hnousage', { answer: { Usage: null } }),
            hpc('m-hnoowner', { ehpc: { osTag: 'CentOS_7.9_64', answer: { ImageOwnerAlias: null } }, answer: { ImageOwnerAlias: null } }),
            // E-HPC lists an ID that DescribeImages does not return (a different ID in the ListCustomImages answer).
            hpc('m-hghost', { ehpc: { osTag: 'CentOS_7.9_64', answer: { ImageId: 'm-hnotinecs' } } }),
            hpc('m-hplain', {}),
          ],
        },
      },
    };
    const o = await runOn(fleet, policy('  - name: hpc\n    resource: ehpc-image\n    keep: {}\n'), { hostile: 4 });
    expectProtected(o, 'm-hnotime', 'unknown-age');
    expectProtected(o, 'm-hnousage', 'in-use');
    expectProtected(o, 'm-hnoowner', 'not-owned');
    expectProtected(o, 'm-hnotinecs', 'unknown-age', 'm-hghost');
    expect(o.outcome('m-hplain')?.['outcome']).toBe('deleted');
  });

  it('WUYING ListImage: unreadable times, types and statuses protect the image', async () => {
    const w = (id: string, answer: Record<string, unknown>): WuyingImage => ({ ImageId: id, ImageName: `desk-${id}`, GmtCreate: old(100).replace('T', ' ').replace('Z', ''), answer });
    const fleet: Fleet = {
      regions: {},
      wuying: {
        images: [
          w('imgc-notime', { GmtCreate: null }),
          w('imgc-future', { GmtCreate: '2099-01-01 00:00:00' }),
          w('imgc-feb30', { GmtCreate: '2020-02-30 00:00:00' }),
          w('imgc-notype', { ImageType: null }),
          w('imgc-status', { Status: 'WEIRD' }),
          w('imgc-plain', {}),
        ],
      },
    };
    const o = await runOn(fleet, policy('  - name: d\n    resource: wuying-image\n    keep: {}\n', '[cn-shanghai]'), { hostile: 5 });
    expectProtected(o, 'imgc-notime', 'unknown-age');
    expectProtected(o, 'imgc-future', 'unknown-age');
    expectProtected(o, 'imgc-feb30', 'unknown-age');
    expectProtected(o, 'imgc-notype', 'not-owned');
    expectProtected(o, 'imgc-status', 'busy');
    expect(o.outcome('imgc-plain')?.['outcome']).toBe('deleted');
  });

  it('pipelines: an execution whose status cannot be read protects its pipeline', async () => {
    const fleet: Fleet = {
      regions: {
        'cn-hangzhou': {
          pipelines: [
            { ImagePipelineId: 'ip-nostatus', Name: 'ci-nostatus', CreationTime: old(400), executions: [{ ExecutionId: 'e-1', Status: 'SUCCESS', CreationTime: old(200), answer: { Status: null } }] },
            { ImagePipelineId: 'ip-oddstatus', Name: 'ci-oddstatus', CreationTime: old(400), executions: [{ ExecutionId: 'e-2', Status: 'SUCCESS', CreationTime: old(200), answer: { Status: 'WARMING_UP' } }] },
            { ImagePipelineId: 'ip-nopipetime', Name: 'ci-nopipetime', CreationTime: old(400), answer: { CreationTime: 'yesterday' } },
            { ImagePipelineId: 'ip-plain', Name: 'ci-plain', CreationTime: old(400) },
          ],
        },
      },
    };
    const o = await runOn(fleet, policy('  - name: idle\n    resource: image-pipeline\n    keep: { activeWithin: 14d }\n'), { hostile: 3 });
    expectProtected(o, 'ip-nostatus', 'running-execution');
    expectProtected(o, 'ip-oddstatus', 'running-execution');
    expectProtected(o, 'ip-nopipetime', 'unknown-age');
    expect(o.outcome('ip-plain')?.['outcome']).toBe('deleted');
  });

  it('an item without an ID leaves its whole group out (inventory.failed), and nothing of the group is deleted', async () => {
    const fleet: Fleet = {
      regions: { 'cn-hangzhou': { images: [{ ImageId: 'm-noid', CreationTime: old(100), answer: { ImageId: null } }, { ImageId: 'm-fine', CreationTime: old(100) }] } },
      wuying: { images: [{ ImageId: 'imgc-noid', GmtCreate: '2020-01-01 00:00:00', answer: { ImageId: null } }, { ImageId: 'imgc-fine', GmtCreate: '2020-01-01 00:00:00' }] },
    };
    const o = await runOn(fleet, policy('  - name: e\n    resource: ecs-image\n    keep: {}\n  - name: w\n    resource: wuying-image\n    keep: {}\n', '[cn-hangzhou, cn-shanghai]'), { hostile: 2 });
    const failed = o.lines.filter((l) => l['event'] === 'inventory.failed').map((l) => `${String(l['kind'])}/${String(l['region'])}`);
    expect(failed.sort()).toEqual(['ecs-image/cn-hangzhou', 'wuying-image/cn-shanghai']);
    expect([...o.mutated]).toEqual([]);
    expect(o.after).toEqual(idsIn(fleet));
  });

  // Tags that are there but cannot be read may hold the keep tag: protected (reason tag).
  it('an image tagged image-gc:keep whose Tags field is malformed is protected, not deleted', async () => {
    const keep = { 'image-gc:keep': 'true' };
    const img = (id: string, answer: Record<string, unknown>): FleetImage => ({ ImageId: id, ImageName: `build-${id}`, CreationTime: old(100), Tags: keep, answer });
    const fleet: Fleet = {
      regions: {
        'cn-hangzhou': {
          images: [
            img('m-tagstring', { Tags: 'image-gc:keep=true' }),
            img('m-tagobject', { Tags: { Tag: { TagKey: 'image-gc:keep', TagValue: 'true' } } }),
            img('m-tagbool', { Tags: { Tag: [{ TagKey: 'image-gc:keep', TagValue: true }] } }),
            img('m-tagnames', { Tags: { Tag: [{ Key: 'image-gc:keep', Value: 'true' }] } }),
          ],
        },
      },
      wuying: { images: [{ ImageId: 'imgc-tagbool', GmtCreate: '2020-01-01 00:00:00', answer: { TagList: [{ Key: 'image-gc:keep', Value: true }] } }] },
    };
    const o = await runOn(fleet, policy('  - name: all\n    resource: ecs-image\n    keep: {}\n  - name: w\n    resource: wuying-image\n    keep: {}\n', '[cn-hangzhou, cn-shanghai]'), { count: false });
    for (const id of ['m-tagstring', 'm-tagobject', 'm-tagbool', 'm-tagnames', 'imgc-tagbool']) expectProtected(o, id, 'tag');
  });

  // An execution that cannot be attributed could be the running or recent one: the region's pipelines are left out.
  it('an execution without a usable ImagePipelineId or ExecutionId does not make its pipeline look idle', async () => {
    const p = (id: string, status: 'SUCCESS' | 'BUILDING', days: number, answer: Record<string, unknown>): FleetPipeline => ({
      ImagePipelineId: id,
      Name: `ci-${id}`,
      CreationTime: old(400),
      executions: [{ ExecutionId: `e-${id}`, Status: status, CreationTime: old(days), ModifiedTime: old(days), answer }],
    });
    const fleet: Fleet = { regions: { 'cn-hangzhou': { pipelines: [p('ip-nopid', 'SUCCESS', 2, { ImagePipelineId: null }), p('ip-noeid', 'SUCCESS', 2, { ExecutionId: null }), p('ip-running', 'BUILDING', 200, { ImagePipelineId: null })] } } };
    const o = await runOn(fleet, policy('  - name: idle\n    resource: image-pipeline\n    keep: { activeWithin: 14d }\n'), { count: false });
    for (const id of ['ip-nopid', 'ip-noeid', 'ip-running']) {
      expect(o.decision(id)?.['decision'] ?? 'left out', `${id}: ${String(o.decision(id)?.['detail'])}`).not.toBe('delete');
      expect(o.after.has(id), `${id} deleted`).toBe(true);
    }
  });

  // An execution that cannot be placed in time could be the recent one: the pipeline is protected.
  it('a pipeline whose execution times cannot be read is not deleted as idle', async () => {
    const fleet: Fleet = {
      regions: {
        'cn-hangzhou': {
          pipelines: [
            { ImagePipelineId: 'ip-notimes', Name: 'ci-a', CreationTime: old(400), executions: [{ ExecutionId: 'e-a', Status: 'SUCCESS', CreationTime: old(2), ModifiedTime: old(2), answer: { CreationTime: null, ModifiedTime: null } }] },
            { ImagePipelineId: 'ip-badtimes', Name: 'ci-b', CreationTime: old(400), executions: [{ ExecutionId: 'e-b', Status: 'SUCCESS', CreationTime: old(2), ModifiedTime: old(2), answer: { CreationTime: 'x', ModifiedTime: 'garbage' } }] },
          ],
        },
      },
    };
    const o = await runOn(fleet, policy('  - name: idle\n    resource: image-pipeline\n    keep: { activeWithin: 14d }\n'), { count: false });
    for (const id of ['ip-notimes', 'ip-badtimes']) expect(o.after.has(id), `${id}: ${String(o.decision(id)?.['detail'])}`).toBe(true);
  });

  // An E-HPC entry that cannot be named would decide nothing's kind: the region's image listings are refused.
  it('an E-HPC image whose ListCustomImages entry has no usable ImageId is not deleted as an ECS image', async () => {
    const hpc = (id: string, days: number, answer: Record<string, unknown>): FleetImage => ({ ImageId: id, ImageName: `hpc-${id}`, CreationTime: old(days), ehpc: { osTag: 'CentOS_7.9_64', instantRegistered: true, answer } });
    const fleet: Fleet = {
      regions: { 'cn-hangzhou': { images: [{ ImageId: 'm-web', ImageName: 'web', CreationTime: old(1) }, hpc('m-hnoid', 50, { ImageId: null }), hpc('m-hnumid', 60, { ImageId: 12345 })] } },
    };
    const o = await runOn(fleet, policy('  - name: hpc\n    resource: ehpc-image\n    keep: { newest: 10 }\n  - name: web\n    resource: ecs-image\n    keep: { newest: 1 }\n'), { count: false });
    for (const id of ['m-hnoid', 'm-hnumid']) {
      expect(o.decision(id)?.['kind'] ?? 'left out', `${id} decided as ${String(o.decision(id)?.['kind'])}`).not.toBe('ecs-image');
      expect(o.after.has(id), `${id} deleted`).toBe(true);
    }
  });
});

// ------------------------------------------------------------------------------------ paging

function bigFleet(): Fleet {
  return {
    regions: {
      'cn-hangzhou': {
        images: Array.from({ length: 201 }, (_, i) => ({ ImageId: `m-p${i}`, ImageName: `build-${i}`, CreationTime: old(1 + i), ...(i % 50 === 7 ? { usedByInstances: 1 } : {}) })),
        pipelines: Array.from({ length: 501 }, (_, i) => ({ ImagePipelineId: `ip-p${i}`, Name: `ci-${i}`, CreationTime: old(1 + (i % 100)) })),
      },
    },
    wuying: { images: Array.from({ length: 201 }, (_, i) => ({ ImageId: `imgc-p${i}`, ImageName: `d-${i}`, GmtCreate: old(1 + i).replace('T', ' ').replace('Z', '') })) },
  };
}
const BIG_POLICY = policy(
  '  - name: b\n    resource: ecs-image\n    keep: { newest: 5 }\n  - name: w\n    resource: wuying-image\n    keep: { newest: 5 }\n  - name: p\n    resource: image-pipeline\n    keep: { activeWithin: 50d }\n',
  '[cn-hangzhou]',
  'maxDeletionPercent: 100, maxDeletionsPerRun: 12, requestsPerSecond: 200',
);

describe.concurrent('hostile API answers: paging', () => {
  it.each(['duplicateAcrossPages', 'lyingTotalCount', 'emptyPageBeforeEnd', 'hugePage', 'omitFinalNextToken'] as const)(
    '%s: each group is either decided exactly as without the anomaly, or left out with inventory.failed; nothing kept is touched',
    async (anomaly) => {
      const emu = await emulatorWith(bigFleet());
      try {
        const p = policyFromText(BIG_POLICY);
        const plan = await cleanPlan(emu, p);
        const exp = expectationOf(plan, emu.state());
        emu.setBehaviour({ paging: { [anomaly]: true } });
        emu.clearCalls();
        const r = await directRun(emu, p);
        expect(r.thrown).toBeNull();
        const a = auditOf(r.lines);
        expect(a.finishLines).toBe(1);
        expect(a.lost).toEqual([]);
        const failed = new Set(r.lines.filter((l) => l['event'] === 'inventory.failed').map((l) => String(l['kind'])));
        // maxDeletionsPerRun picks the oldest candidates of every group together: with a group left
        // out, others get its share, so delete and defer are one answer here (a candidate).
        const candidate = (d: string | undefined) => (d === 'defer' ? 'delete' : d);
        for (const item of plan.items) {
          const got = a.decisions.get(`${item.kind}/${item.region}/${item.id}`);
          if (failed.has(item.kind)) expect(got, `${item.id}: its group failed`).toBeUndefined();
          else expect(candidate(got), `${anomaly}: ${item.id}`).toBe(candidate(item.decision));
        }
        const mutated = mutatingCalls(emu.calls()).flatMap(targetsOf);
        expect(mutated.filter((id) => exp.keeps.has(id))).toEqual([]);
        tally.runs++;
        tally.paging++;
        tally.items += plan.items.length;
        tally.deleted += a.deleted.length;
      } finally {
        await emu.close();
      }
    },
  );

  it('an enormous page (5,000 images in one answer) is read whole and decided as usual', async () => {
    const images: FleetImage[] = Array.from({ length: 5000 }, (_, i) => ({ ImageId: `m-e${i}`, ImageName: `build-${i}`, CreationTime: old(1 + (i % 900)) }));
    const emu = await emulatorWith({ regions: { 'cn-hangzhou': { images } } });
    try {
      const p = policyFromText(policy('  - name: b\n    resource: ecs-image\n    keep: { newest: 100 }\n', '[cn-hangzhou]', 'maxDeletionPercent: 100, maxDeletionsPerRun: 3, requestsPerSecond: 200'));
      const plan = await cleanPlan(emu, p);
      emu.setBehaviour({ paging: { hugePage: true } });
      emu.clearCalls();
      const r = await directRun(emu, p);
      const a = auditOf(r.lines);
      expect(r.thrown).toBeNull();
      // One listing call (a re-read of an item before its deletion names its ImageId and is not one).
      expect(emu.calls().filter((c) => c.action === 'DescribeImages' && c.params['ImageId'] === undefined)).toHaveLength(1);
      expect(a.decisions.size).toBe(5000);
      for (const item of plan.items) expect(a.decisions.get(`${item.kind}/${item.region}/${item.id}`)).toBe(item.decision);
      expect(a.deleted).toHaveLength(3);
      tally.runs++;
      tally.paging++;
      tally.items += 5000;
      tally.deleted += a.deleted.length;
    } finally {
      await emu.close();
    }
  });
});

// ------------------------------------------------------------------------------------ between pages

/**
 * 150 images, newest first on two pages of 100. The rule `b` matches only the builds (`build-*`:
 * m-p0, m-p1, m-p2, m-p50, m-p120) and keeps the 2 newest; the rest are other people's images
 * that no rule matches.
 */
const BUILDS = new Set([0, 1, 2, 50, 120]);
function twoPageFleet(): Fleet {
  return {
    regions: {
      'cn-hangzhou': {
        images: Array.from({ length: 150 }, (_, i) => ({ ImageId: `m-p${i}`, ImageName: BUILDS.has(i) ? `build-${i}` : `other-${i}`, CreationTime: old(1 + i) })),
      },
    },
  };
}
const TWO_PAGE_POLICY = policy('  - name: b\n    resource: ecs-image\n    match: { name: "build-*" }\n    keep: { newest: 2 }\n');

/** Runs `between` once, right after page 1 of the region's DescribeImages listing came back. */
function afterFirstPage(between: () => Promise<void>): (api: CloudApi) => CloudApi {
  let done = false;
  return (api) => ({
    async call(action, region, params) {
      const body = await api.call(action, region, params);
      if (action === 'ecs.DescribeImages' && params['PageNumber'] === 1 && !done) {
        done = true;
        await between();
      }
      return body;
    },
  });
}

describe('hostile API answers: items vanishing and appearing between pages', () => {
  it('an item deleted by someone else between pages: no crash, the listing starts again, nothing kept is touched, the next run converges', async () => {
    const emu = await emulatorWith(twoPageFleet());
    try {
      const p = policyFromText(TWO_PAGE_POLICY);
      const other = createCloudClient({ credentials: { kind: 'static', ...TEST_KEY }, endpoint: emu.url });
      // A concurrent deleter removes m-p50 (a candidate on page 1) while we are on page 1:
      // page 2 shifts by one, so m-p100 is never seen and m-p50 is a ghost.
      const r = await directRun(emu, p, { wrapApi: afterFirstPage(async () => void (await other.call('ecs.DeleteImage', 'cn-hangzhou', { RegionId: 'cn-hangzhou', ImageId: 'm-p50' }))) });
      expect(r.thrown).toBeNull();
      const a = auditOf(r.lines);
      expect(a.finishLines).toBe(1);
      expect(a.lost).toEqual([]);
      // The total changed between the pages, so the listing started again: the deleted image is
      // simply not in it (no decision, no outcome), and nothing was missed.
      expect(r.lines.some((l) => l['event'] === 'inventory.listed' && String(l['warnings']).includes('listed again'))).toBe(true);
      expect(r.lines.filter((l) => l['id'] === 'm-p50' && l['event'] === 'item.outcome')).toEqual([]);
      expect(a.decisions.has('ecs-image/cn-hangzhou/m-p100')).toBe(true);
      expect(a.failed).toEqual([]);
      const after = idsIn(emu.state());
      expect(after.has('m-p0') && after.has('m-p1')).toBe(true);
      const rerun = await directRun(emu, p);
      expect(auditOf(rerun.lines).failed).toEqual([]);
      const left = idsIn(emu.state());
      expect([...BUILDS].map((i) => `m-p${i}`).filter((id) => left.has(id))).toEqual(['m-p0', 'm-p1']);
      expect(left.size).toBe(150 - 3);
      tally.reruns++;
      tally.converged++;
      tally.runs += 2;
      tally.hostile++;
      tally.items += 150;
      tally.deleted += a.deleted.length + auditOf(rerun.lines).deleted.length;
    } finally {
      await emu.close();
    }
  });

  it('an item created between pages: no crash, the listing starts again and the new image counts among the newest', async () => {
    const emu = await emulatorWith(twoPageFleet());
    try {
      const p = policyFromText(TWO_PAGE_POLICY);
      const r = await directRun(emu, p, {
        wrapApi: afterFirstPage(async () => {
          const state = emu.state();
          state.regions['cn-hangzhou']!.images!.push({ ImageId: 'm-new', ImageName: 'build-new', CreationTime: ago(0.5) });
          emu.loadFleet(state);
        }),
      });
      expect(r.thrown).toBeNull();
      const a = auditOf(r.lines);
      expect(a.finishLines).toBe(1);
      expect(a.lost).toEqual([]);
      const after = idsIn(emu.state());
      // The total changed between the pages, so the listing started again and saw the new image:
      // it is the newest, kept; the old newest stays; and the policy now ranks the rest against it.
      expect(r.lines.some((l) => l['event'] === 'inventory.listed' && String(l['warnings']).includes('listed again'))).toBe(true);
      for (const id of ['m-new', 'm-p0']) expect(after.has(id), id).toBe(true);
      const decided = r.lines.find((l) => l['event'] === 'item.decision' && l['id'] === 'm-new');
      expect(decided?.['decision']).toBe('keep');
      tally.runs++;
      tally.hostile++;
      tally.items += 151;
      tally.deleted += a.deleted.length;
    } finally {
      await emu.close();
    }
  });

  // A TotalCount that changes between pages means the pages are not one listing: it starts again.
  it('a listing whose TotalCount changes between pages is not trusted for keep.newest', async () => {
    const emu = await emulatorWith(twoPageFleet());
    try {
      const p = policyFromText(TWO_PAGE_POLICY);
      const other = createCloudClient({ credentials: { kind: 'static', ...TEST_KEY }, endpoint: emu.url });
      await directRun(emu, p, { wrapApi: afterFirstPage(async () => void (await other.call('ecs.DeleteImage', 'cn-hangzhou', { RegionId: 'cn-hangzhou', ImageId: 'm-p0' }))) });
      expect(idsIn(emu.state()).has('m-p2'), 'm-p2 is one of the 2 newest images left, and was deleted').toBe(true);
    } finally {
      await emu.close();
    }
  });
});
