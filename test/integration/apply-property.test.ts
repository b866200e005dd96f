/**
 * Property: for random fleets, and random changes between plan and apply, apply never deletes an
 * item that was not a reviewed deletion, nor one that is protected or kept at apply time (by the
 * planner's own verdict over the changed fleet, and by the fleet's own knobs); and it deletes every
 * reviewed deletion that did not change and is still a candidate. Against the emulator, through
 * the CLI, as a person would run it.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Emulator, Fleet, FleetImage } from '../emulator/index.js';
import { cli, emulatorWith, envFor, TEST_KEY, tempDir, writePolicy } from '../support/e2e.js';
import { ago } from '../support/fleets.js';
import { apply, changeFleet, deleteIds, makePlan, NOW, readPlan } from '../support/plan-apply.js';

interface Spec {
  readonly family: 'a' | 'b';
  readonly days: number;
  readonly keep: boolean;
  readonly inUse: boolean;
  readonly status: 'Available' | 'CreateFailed';
}

const OPS = ['inUse', 'keepTag', 'unkeep', 'share', 'status', 'busy', 'public', 'delete', 'addNewer', 'addOlder', 'rename', 'retag'] as const;
type Op = { readonly op: (typeof OPS)[number]; readonly target: number; readonly days: number };

const arbSpec: fc.Arbitrary<Spec> = fc.record({
  family: fc.constantFrom('a' as const, 'b' as const),
  days: fc.integer({ min: 1, max: 120 }),
  keep: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  inUse: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  status: fc.constantFrom('Available' as const, 'CreateFailed' as const),
});
const arbOp: fc.Arbitrary<Op> = fc.record({ op: fc.constantFrom(...OPS), target: fc.nat(), days: fc.integer({ min: 0, max: 130 }) });
const arbPolicy = fc.record({ newest: fc.integer({ min: 1, max: 3 }), youngerThan: fc.option(fc.constantFrom('15d', '45d'), { nil: undefined }) });

function fleetOf(specs: readonly Spec[]): Fleet {
  const images: FleetImage[] = specs.map((s, i) => ({
    ImageId: `m-p${i}`,
    ImageName: `build-${s.family}-${i}`,
    CreationTime: ago(s.days),
    Status: s.status,
    Size: 10,
    ImageFamily: s.family,
    ...(s.keep && { Tags: { 'image-gc:keep': 'true' } }),
    ...(s.inUse && { usedByInstances: 1 }),
  }));
  return { credentials: [TEST_KEY], regions: { 'cn-hangzhou': { images } } };
}

function policyText(p: { newest: number; youngerThan: string | undefined }): string {
  const keep = p.youngerThan === undefined ? `{ newest: ${p.newest}, groupBy: family }` : `{ newest: ${p.newest}, groupBy: family, youngerThan: ${p.youngerThan} }`;
  return `version: 1
mode: enforce
regions: [cn-hangzhou]
limits: { maxDeletionsPerRun: 1000, maxDeletionPercent: 100, concurrency: 4, requestsPerSecond: 200 }
rules:
  - name: builds
    resource: ecs-image
    match: { name: "build-*" }
    keep: ${keep}
`;
}

function applyOps(f: Fleet, ops: readonly Op[]): void {
  const images = f.regions['cn-hangzhou']?.images ?? [];
  let added = 0;
  for (const { op, target, days } of ops) {
    if (images.length === 0) return;
    const img = images[target % images.length] as FleetImage;
    switch (op) {
      case 'inUse': img.usedByInstances = 1; break;
      case 'keepTag': img.Tags = { ...img.Tags, 'image-gc:keep': 'true' }; break;
      case 'unkeep': if (img.Tags) delete img.Tags['image-gc:keep']; break;
      case 'share': img.sharedWith = ['1111222233334444']; break;
      case 'status': img.Status = img.Status === 'Available' ? 'CreateFailed' : 'Available'; break;
      case 'busy': img.busy = 'copying'; img.Status = 'Creating'; break;
      case 'public': img.isPublic = true; break;
      case 'delete': images.splice(target % images.length, 1); break;
      case 'addNewer': images.push({ ImageId: `m-n${added++}`, ImageName: `build-${img.ImageFamily}-n`, CreationTime: ago(Math.min(days, 5)), Status: 'Available', ImageFamily: img.ImageFamily ?? 'a' }); break;
      case 'addOlder': images.push({ ImageId: `m-n${added++}`, ImageName: `build-${img.ImageFamily}-o`, CreationTime: ago(days + 1), Status: 'Available', ImageFamily: img.ImageFamily ?? 'a' }); break;
      case 'rename': img.ImageName = `hand-made-${img.ImageId}`; break;
      case 'retag': img.Tags = { ...img.Tags, owner: 'someone' }; break;
    }
  }
}

const imagesOf = (f: Fleet) => new Map((f.regions['cn-hangzhou']?.images ?? []).map((i) => [i.ImageId, i]));
const protectedByKnobs = (i: FleetImage) =>
  (i.usedByInstances ?? 0) > 0 || (i.sharedWith ?? []).length > 0 || i.isPublic === true || (i.busy ?? null) !== null || i.Tags?.['image-gc:keep'] === 'true';

let emu: Emulator;
beforeAll(async () => {
  emu = await emulatorWith({ regions: {} });
});
afterAll(async () => {
  await emu.close();
});

it('apply deletes only reviewed deletions that are still unprotected candidates, and all of those that did not change', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(arbSpec, { minLength: 2, maxLength: 12 }), arbPolicy, fc.array(arbOp, { maxLength: 5 }), async (specs, pol, ops) => {
      emu.loadFleet(fleetOf(specs));
      const env = envFor(emu);
      const policy = writePolicy(tempDir(), policyText(pol));
      const file = await makePlan(policy, env);
      const reviewed = new Set(deleteIds(readPlan(file)));

      const before = emu.state();
      changeFleet(emu, (f) => applyOps(f, ops));
      const changed = emu.state();
      // What the planner says about the changed fleet (the caps do not bite in this policy).
      const freshRun = await cli(['plan', '--policy', policy, '--json', '--now', NOW], env);
      expect(freshRun.code, freshRun.stderr).toBe(0);
      const fresh = JSON.parse(freshRun.stdout) as { items: Array<{ id: string; decision: string }> };
      const stillCandidates = new Set(fresh.items.filter((i) => i.decision === 'delete').map((i) => i.id));

      emu.clearCalls();
      const r = await apply(file, env);
      expect([0, 1]).toContain(r.code);
      const deleted = new Set(emu.calls().filter((c) => c.action === 'DeleteImage' && c.status === 200).map((c) => String(c.params['ImageId'])));

      const beforeById = imagesOf(before);
      const changedById = imagesOf(changed);
      for (const id of deleted) {
        expect(reviewed.has(id), `${id} was not a reviewed deletion`).toBe(true);
        expect(stillCandidates.has(id), `${id} is protected or kept at apply time`).toBe(true);
        expect(protectedByKnobs(changedById.get(id) as FleetImage), `${id} is protected in the fleet at apply time`).toBe(false);
      }
      // Liveness: every reviewed deletion whose own record did not change and that is still a candidate went.
      for (const id of reviewed) {
        const unchanged = changedById.has(id) && JSON.stringify(changedById.get(id)) === JSON.stringify(beforeById.get(id));
        if (unchanged && stillCandidates.has(id)) expect(deleted.has(id), `${id} did not change and is still a candidate`).toBe(true);
      }
    }),
    { numRuns: 30, endOnFailure: true },
  );
}, 180_000);
