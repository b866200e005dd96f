/**
 * apply after the fleet changed: between plan and apply (caught by apply's fresh listing and fresh
 * plan), and during apply (after its listing, before the deletion: caught by the re-read right
 * before each deletion). What changed is not deleted; everything that did not change is; nothing
 * outside the reviewed deletions is ever deleted, marked or unmarked.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator, Fleet, FleetImage } from '../emulator/index.js';
import { emulatorWith, envFor, idsIn, mutatingCalls, tempDir, writePolicy } from '../support/e2e.js';
import { ago, EHPC_POLICY, ehpcFleet, PIPELINE_POLICY, pipelineFleet, WUYING_POLICY, wuyingFleet } from '../support/fleets.js';
import { apply, changeFleet, deletedBy, deleteIds, imageIn, interceptingProxy, makePlan, pipelineIn, readPlan, removeImage, wuyingIn } from '../support/plan-apply.js';

let emu: Emulator | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await emu?.close();
  emu = undefined;
});

const app = (n: number, days: number, extra: Partial<FleetImage> = {}): FleetImage => ({
  ImageId: `m-a${n}`,
  ImageName: `app-${n}`,
  CreationTime: ago(days),
  Status: 'Available',
  Size: 20,
  ImageFamily: 'app',
  ...extra,
});

/** a1..a8, 10 to 80 days old; the policy keeps the 2 newest: the plan deletes a3..a8. */
function appFleet(): Fleet {
  return { regions: { 'cn-hangzhou': { images: [1, 2, 3, 4, 5, 6, 7, 8].map((n) => app(n, n * 10)) } } };
}

const APP_POLICY = `version: 1
mode: enforce
regions: [cn-hangzhou]
limits: { maxDeletionsPerRun: 100, maxDeletionPercent: 100, concurrency: 1 }
rules:
  - name: apps
    resource: ecs-image
    match: { name: "app-*" }
    keep: { newest: 2, groupBy: family }
`;

async function planned(fleet: Fleet, policyText: string) {
  emu = await emulatorWith(fleet);
  const env = envFor(emu);
  const policy = writePolicy(tempDir(), policyText);
  const file = await makePlan(policy, env);
  return { emu, env, policy, file, plan: readPlan(file) };
}

type Lines = Awaited<ReturnType<typeof apply>>['lines'];
const outcomesIn = (lines: Lines) => lines.filter((l) => l['event'] === 'item.outcome');
const outcomeOf = (lines: Lines, id: string) => {
  const found = outcomesIn(lines).filter((l) => l['id'] === id);
  expect(found, `one outcome for ${id}`).toHaveLength(1);
  return found[0] as Record<string, unknown>;
};

describe('the fleet changed between plan and apply', () => {
  it('in use, tagged keep, shared, status changed, a newer image pushing a kept one out: only the unchanged go', async () => {
    const { emu, env, file, plan } = await planned(appFleet(), APP_POLICY);
    expect(deleteIds(plan)).toEqual(['m-a3', 'm-a4', 'm-a5', 'm-a6', 'm-a7', 'm-a8']);
    changeFleet(emu, (f) => {
      imageIn(f, 'm-a3').usedByInstances = 1;
      imageIn(f, 'm-a4').Tags = { 'image-gc:keep': 'true' };
      imageIn(f, 'm-a5').sharedWith = ['1111222233334444'];
      imageIn(f, 'm-a6').Status = 'UnAvailable';
      // A newer image: a2 is now 3rd newest, a candidate for the next plan, but not reviewed in this one.
      f.regions['cn-hangzhou']?.images?.push(app(0, 1));
    });
    const r = await apply(file, env);
    expect(r.code, r.stderr + r.stdout).toBe(1);
    expect(deletedBy(emu.calls())).toEqual(['m-a7', 'm-a8']);
    expect(mutatingCalls(emu.calls()).map((c) => c.action)).toEqual(['DeleteImage', 'DeleteImage']);
    expect([...idsIn(emu.state())].sort()).toEqual(['m-a0', 'm-a1', 'm-a2', 'm-a3', 'm-a4', 'm-a5', 'm-a6']);
    const why: Record<string, RegExp> = { 'm-a3': /now in use/, 'm-a4': /tag image-gc:keep=true added/, 'm-a5': /now shared/, 'm-a6': /status Available -> UnAvailable/ };
    for (const [id, message] of Object.entries(why)) {
      expect(outcomeOf(r.lines, id)).toMatchObject({ outcome: 'refused', code: 'changed' });
      expect(String(outcomeOf(r.lines, id)['message'])).toMatch(message);
    }
    expect(outcomesIn(r.lines).map((o) => o['id'])).not.toContain('m-a2');
    expect(r.stdout).toMatch(/REFUSED ecs-image m-a3: changed since the plan was reviewed: now in use/);
  });

  it('deleted by someone else, and a newer image gone making a planned one newest again', async () => {
    const { emu, env, file } = await planned(appFleet(), APP_POLICY);
    changeFleet(emu, (f) => {
      removeImage(f, 'm-a1'); // kept, not in the plan: now a3 is the 2nd newest
      removeImage(f, 'm-a4'); // a planned deletion someone else made
    });
    const r = await apply(file, env);
    expect(r.code).toBe(1);
    expect(deletedBy(emu.calls())).toEqual(['m-a5', 'm-a6', 'm-a7', 'm-a8']);
    expect(outcomeOf(r.lines, 'm-a4')).toMatchObject({ outcome: 'already-gone', code: 'gone' });
    expect(outcomeOf(r.lines, 'm-a3')).toMatchObject({ outcome: 'refused', code: 'changed' });
    expect(String(outcomeOf(r.lines, 'm-a3')['message'])).toMatch(/no longer a candidate: the policy now says keep \(newest\)/);
    expect([...idsIn(emu.state())].sort()).toEqual(['m-a2', 'm-a3']);
  });

  it('nothing changed: exactly the reviewed deletions; applied again, nothing more (all already gone)', async () => {
    const { emu, env, file, plan } = await planned(appFleet(), APP_POLICY);
    emu.clearCalls();
    const first = await apply(file, env);
    expect(first.code, first.stderr + first.stdout).toBe(0);
    expect(deletedBy(emu.calls())).toEqual(deleteIds(plan));
    emu.clearCalls();
    const second = await apply(file, env);
    expect(second.code).toBe(0);
    expect(mutatingCalls(emu.calls())).toEqual([]);
    expect(outcomesIn(second.lines).map((o) => o['outcome'])).toEqual(Array(6).fill('already-gone'));
  });

  it('deferred items, marks and unmarks wait for the next plan: apply deletes only what the plan says delete', async () => {
    const fleet = appFleet();
    imageIn(fleet, 'm-a3').Tags = { 'image-gc:marked-at': ago(30) };
    const policyText = APP_POLICY.replace('maxDeletionsPerRun: 100', 'maxDeletionsPerRun: 2').replace('keep: { newest: 2, groupBy: family }', 'keep: { newest: 2, groupBy: family }\n    grace: 7d');
    const { emu, env, file, plan } = await planned(fleet, policyText);
    const decisions = Object.fromEntries(plan.items.map((i) => [i.id, i.decision]));
    expect(decisions).toMatchObject({ 'm-a3': 'delete', 'm-a4': 'mark', 'm-a8': 'mark' });
    emu.clearCalls();
    const r = await apply(file, env);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(mutatingCalls(emu.calls()).map((c) => `${c.action} ${c.params['ImageId'] ?? ''}`)).toEqual(['DeleteImage m-a3']);
  });

  it('a dry run checks everything and changes nothing', async () => {
    const { emu, env, file } = await planned(appFleet(), APP_POLICY);
    changeFleet(emu, (f) => (imageIn(f, 'm-a3').usedByInstances = 1));
    const before = idsIn(emu.state());
    const r = await apply(file, env, ['--dry-run']);
    expect(r.code).toBe(1);
    expect(mutatingCalls(emu.calls())).toEqual([]);
    expect(idsIn(emu.state())).toEqual(before);
    expect(r.stdout).toMatch(/5 of 6 reviewed deletion\(s\) would go now/);
    expect(outcomeOf(r.lines, 'm-a3')).toMatchObject({ outcome: 'refused', code: 'changed' });
  });

  it('obeys the policy: a plan made with a dry-run policy applies as a dry run', async () => {
    const { emu, env, file } = await planned(appFleet(), APP_POLICY.replace('mode: enforce', 'mode: dry-run'));
    const before = idsIn(emu.state());
    const r = await apply(file, env);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(mutatingCalls(emu.calls())).toEqual([]);
    expect(idsIn(emu.state())).toEqual(before);
    expect(r.stdout).toMatch(/dry-run \(policy mode dry-run\): nothing was changed; 6 of 6 reviewed deletion\(s\) would go now/);
  });

  it('starts no deletion after --deadline: what is left is skipped, and a second apply finishes it', async () => {
    const { emu, env, file, plan } = await planned(appFleet(), APP_POLICY);
    const late = await apply(file, env, ['--deadline', new Date(Date.now() - 1000).toISOString()]);
    expect(late.code).toBe(1);
    expect(mutatingCalls(emu.calls())).toEqual([]);
    expect(outcomesIn(late.lines).map((o) => `${o['outcome']}/${o['code']}`)).toEqual(Array(6).fill('skipped/Deadline'));
    const again = await apply(file, env);
    expect(again.code).toBe(0);
    expect(deletedBy(emu.calls())).toEqual(deleteIds(plan));
  });

  it('logs as a run does: run.start names apply, the plan and its checksum; outcomes as they happen; run.finish', async () => {
    const { env, file, plan } = await planned(appFleet(), APP_POLICY);
    const r = await apply(file, env);
    const events = r.lines.map((l) => l['event']);
    expect(events[0]).toBe('run.start');
    expect(r.lines[0]).toMatchObject({ command: 'apply', planFile: file, planChecksum: `sha256:${plan.checksum.value}`, mode: 'enforce' });
    expect(events.filter((e) => e === 'inventory.listed')).toHaveLength(1);
    expect(events.filter((e) => e === 'item.decision')).toHaveLength(6);
    expect(events.filter((e) => e === 'item.outcome')).toHaveLength(6);
    expect(events.at(-1)).toBe('run.finish');
    expect(r.lines.at(-1)).toMatchObject({ exitStatus: 0, outcomes: expect.objectContaining({ deleted: 6 }) });
  });
});

describe('snapshots (deleteSnapshots)', () => {
  it('the plan file lists each deletion\'s snapshots; apply deletes the reviewed ones with their images', async () => {
    const { emu, env, file, plan } = await planned(appFleet(), APP_POLICY.replace('keep: { newest: 2, groupBy: family }', 'keep: { newest: 2, groupBy: family }\n    deleteSnapshots: true'));
    const deletions = plan.items.filter((i) => i.decision === 'delete');
    for (const d of deletions) expect(d.snapshots?.map((x) => [x.id, x.action])).toEqual([[`s-${d.id.slice(2)}`, 'delete']]);
    emu.clearCalls();
    const r = await apply(file, env);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const snapshots = emu.calls().filter((c) => c.action === 'DeleteSnapshot' && c.status === 200).map((c) => String(c.params['SnapshotId'])).sort();
    expect(snapshots).toEqual(deletions.map((d) => `s-${d.id.slice(2)}`).sort());
    expect(r.lines.filter((l) => l['event'] === 'snapshot.outcome')).toHaveLength(deletions.length);
  });
});

describe('the fleet changed during apply, after its listing and before the deletion', () => {
  it('the re-read right before each deletion catches it', async () => {
    const { emu, env, file } = await planned(appFleet(), APP_POLICY);
    let changed = false;
    const proxy = await interceptingProxy(emu, (r) => {
      // The first re-read (of the oldest, a8): the listing is done, no deletion has started.
      if (changed || r.action !== 'DescribeImages' || r.params['ImageId'] === undefined) return;
      changed = true;
      changeFleet(emu, (f) => {
        imageIn(f, 'm-a8').usedByInstances = 3;
        imageIn(f, 'm-a6').Tags = { 'image-gc:keep': 'true' };
        removeImage(f, 'm-a5');
      });
    });
    cleanups.push(proxy.close);
    const r = await apply(file, { ...env, IMAGE_GC_ENDPOINT: proxy.url });
    expect(changed).toBe(true);
    expect(r.code).toBe(1);
    const deletes = proxy.seen.filter((s) => s.action === 'DeleteImage').map((s) => s.params['ImageId']).sort();
    expect(deletes).toEqual(['m-a3', 'm-a4', 'm-a7']);
    expect(outcomeOf(r.lines, 'm-a8')).toMatchObject({ outcome: 'refused', code: 'changed' });
    expect(String(outcomeOf(r.lines, 'm-a8')['message'])).toMatch(/now in use/);
    expect(outcomeOf(r.lines, 'm-a6')).toMatchObject({ outcome: 'refused', code: 'changed' });
    expect(outcomeOf(r.lines, 'm-a5')).toMatchObject({ outcome: 'already-gone', code: 'gone' });
    expect([...idsIn(emu.state())].sort()).toEqual(['m-a1', 'm-a2', 'm-a6', 'm-a8']);
  });
});

describe('every kind', () => {
  it('ehpc-image: an image put into use after the plan stays; the rest go', async () => {
    const { emu, env, file, plan } = await planned(ehpcFleet(), EHPC_POLICY);
    const [victim, ...rest] = deleteIds(plan);
    changeFleet(emu, (f) => (imageIn(f, victim as string).usedByInstances = 1));
    const r = await apply(file, env);
    expect(r.code).toBe(1);
    expect(outcomeOf(r.lines, victim as string)).toMatchObject({ outcome: 'refused', code: 'changed' });
    expect(deletedBy(emu.calls())).toEqual(rest);
  });

  it('wuying-image: an image that started building again stays; the rest go', async () => {
    const { emu, env, file, plan } = await planned(wuyingFleet(), WUYING_POLICY);
    const [victim, ...rest] = deleteIds(plan);
    changeFleet(emu, (f) => (wuyingIn(f, victim as string).Status = 'CREATING'));
    const r = await apply(file, env);
    expect(r.code).toBe(1);
    expect(outcomeOf(r.lines, victim as string)).toMatchObject({ outcome: 'refused', code: 'changed' });
    expect(String(outcomeOf(r.lines, victim as string)['message'])).toMatch(/status AVAILABLE -> CREATING/);
    expect(deletedBy(emu.calls())).toEqual(rest);
  });

  it('image-pipeline: a pipeline that ran again stays; the rest go', async () => {
    const { emu, env, file, plan } = await planned(pipelineFleet(), PIPELINE_POLICY);
    expect(deleteIds(plan)).toEqual(['ip-idle', 'ip-never']);
    changeFleet(emu, (f) => pipelineIn(f, 'ip-never').executions?.push({ ExecutionId: 'exec-new', Status: 'BUILDING', CreationTime: ago(0) }));
    const r = await apply(file, env);
    expect(r.code).toBe(1);
    expect(String(outcomeOf(r.lines, 'ip-never')['message'])).toMatch(/new execution exec-new \(BUILDING\)/);
    expect(deletedBy(emu.calls())).toEqual(['ip-idle']);
  });
});
