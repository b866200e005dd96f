/**
 * Properties of the in-use references and the snapshot cascade over random fleets. The cloud is
 * the emulator's own API handlers called in-process (its real paging and filters, no HTTP, so a
 * thousand fleets run in seconds); the oracles below read the rules again, the slow obvious way.
 *
 * (a) No image that a launch template version, a pipeline's base image (or family), a scaling
 *     configuration (or its family) or an unfinished E-HPC Instant executor names is ever a
 *     candidate; and every image nothing names and nothing else protects is one (no over-reach).
 * (b) For random snapshot sharing between images, disks and launch templates, and a random set
 *     of images deleted in a random order: the cascade never asks to delete a snapshot that a
 *     remaining image, a disk or a launch template uses (the cloud here does not refuse, so only
 *     image-gc's own checks stand), and every snapshot nothing uses any more is deleted.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTIONS, type ActionName } from '../../functions/cloud/actions.js';
import type { ApiBody, ApiParams, CloudApi } from '../../functions/cloud/api.js';
import { CloudError } from '../../functions/cloud/errors.js';
import { flattenParams } from '../../functions/cloud/request.js';
import { ecsImageFacts } from '../../functions/inventory/ecs-describe.js';
import { takeInventory } from '../../functions/inventory/index.js';
import { gatherReferences, withReferences } from '../../functions/inventory/references.js';
import type { ListContext } from '../../functions/inventory/resource.js';
import type { InventoryItem } from '../../functions/inventory/types.js';
import { plan } from '../../functions/plan/planner.js';
import type { PlanItem } from '../../functions/plan/types.js';
import { cascadeSnapshots } from '../../functions/sweep/snapshots.js';
import { findRoute } from '../emulator/apis/index.js';
import { ApiError } from '../emulator/errors.js';
import type { Fleet, FleetExecutor, FleetImage, FleetLaunchTemplate, FleetPipeline, FleetScalingConfiguration } from '../emulator/fleet.js';
import { FINISHED_EXECUTOR_STATUSES, EXECUTOR_STATUSES } from '../emulator/fleet.js';
import { Params } from '../emulator/params.js';
import { FleetState } from '../emulator/state.js';
import { policy, rule } from '../support/builders.js';

const R = 'cn-hangzhou';
const NOW = new Date('2026-11-01T00:00:00Z');
const RUNS = 150;

/** The emulator's handlers as a CloudApi: same routes, paging and errors, no HTTP. */
function inProcess(fleet: Fleet, before?: (action: ActionName, params: Record<string, string>) => void): { api: CloudApi; state: FleetState } {
  const state = new FleetState(fleet);
  let n = 0;
  const api: CloudApi = {
    async call(action: ActionName, region: string, params: ApiParams): Promise<ApiBody> {
      const spec = ACTIONS[action];
      const route = findRoute(spec.version, spec.action);
      if (route === undefined) throw new Error(`no route for ${action}`);
      const flat = { ...flattenParams(params), RegionId: region };
      before?.(action, flat);
      try {
        return route.handler({ fleet: state, params: new Params(flat), region, requestId: `req-${++n}` });
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        throw new CloudError({ action, region, code: e.code, httpStatus: e.status, requestId: null, message: e.message, errorClass: 'final', attempts: 1, retryAfterMs: null });
      }
    },
  };
  return { api, state };
}

function memo(): ListContext {
  const m = new Map<string, Promise<unknown>>();
  return {
    kinds: new Set(['ecs-image']),
    once<T>(key: string, fn: () => Promise<T>): Promise<T> {
      if (!m.has(key)) m.set(key, fn());
      return m.get(key) as Promise<T>;
    },
  };
}

const day = (d: number) => new Date(Date.UTC(2026, 0, 1 + d)).toISOString().replace('.000', '');

// ---------------------------------------------------------------- (a) references

const FAMILIES = ['web', 'db', 'ci'] as const;

const arbReferenceFleet = fc.integer({ min: 1, max: 14 }).chain((n) => {
  const imageId = fc.integer({ min: 0, max: n - 1 }).map((i) => `m-${i}`);
  const target = fc.oneof(imageId, fc.constant('m-elsewhere'));
  return fc.record({
    images: fc.array(
      fc.record({
        family: fc.option(fc.constantFrom(...FAMILIES), { nil: undefined }),
        status: fc.constantFrom('Available', 'Available', 'CreateFailed', 'Deprecated') as fc.Arbitrary<FleetImage['Status']>,
        day: fc.integer({ min: 0, max: 200 }),
      }),
      { minLength: n, maxLength: n },
    ),
    templates: fc.array(fc.array(fc.option(target, { nil: undefined }), { minLength: 0, maxLength: 60 }), { maxLength: 4 }),
    templatePad: fc.integer({ min: 0, max: 55 }),
    pipelines: fc.array(fc.oneof(target.map((t) => ['IMAGE', t] as const), fc.constantFrom(...FAMILIES).map((f) => ['IMAGE_FAMILY', f] as const)), { maxLength: 4 }),
    scaling: fc.array(fc.oneof(target.map((t) => ({ ImageId: t })), fc.constantFrom(...FAMILIES).map((f) => ({ ImageFamily: f }))), { maxLength: 60 }),
    executors: fc.array(fc.record({ image: target, status: fc.constantFrom(...EXECUTOR_STATUSES) }), { maxLength: 120 }),
  });
});

type ReferenceModel = typeof arbReferenceFleet extends fc.Arbitrary<infer T> ? T : never;

function toFleet(m: ReferenceModel): Fleet {
  const images: FleetImage[] = m.images.map((x, i) => ({
    ImageId: `m-${i}`,
    ImageName: `build-${i}`,
    CreationTime: day(x.day),
    ...(x.status !== undefined && { Status: x.status }),
    ...(x.family !== undefined && { ImageFamily: x.family }),
  }));
  const templates: FleetLaunchTemplate[] = [
    ...m.templates.map((versions, t) => ({
      LaunchTemplateId: `lt-${t}`,
      versions: versions.map((img, v) => ({ VersionNumber: v + 1, ...(img !== undefined && { ImageId: img }) })),
    })),
    // Padding so that the template listing itself spans pages.
    ...Array.from({ length: m.templatePad }, (_, i) => ({ LaunchTemplateId: `lt-pad${i}`, versions: [{ VersionNumber: 1 }] })),
  ];
  const pipelines: FleetPipeline[] = m.pipelines.map(([type, base], i) => ({ ImagePipelineId: `ip-${i}`, CreationTime: day(0), BaseImageType: type, BaseImage: base }));
  const scalingConfigurations: FleetScalingConfiguration[] = m.scaling.map((s, i) => ({ ScalingConfigurationId: `asc-${i}`, ScalingGroupId: 'asg', ...s }));
  const executors: FleetExecutor[] = m.executors.map((e, i) => ({ ExecutorId: `job-${i}-task0-0`, Image: e.image, Status: e.status }));
  return { regions: { [R]: { images, launchTemplates: templates, pipelines, scalingConfigurations, executors } } };
}

/** The oracle: which images something names, read straight off the model. */
function referenced(m: ReferenceModel): Set<string> {
  const out = new Set<string>();
  const newestOf = (family: string): string | undefined => {
    let best: { id: string; day: number } | undefined;
    m.images.forEach((x, i) => {
      if (x.family !== family || x.status !== 'Available') return;
      const id = `m-${i}`;
      if (best === undefined || x.day > best.day || (x.day === best.day && id > best.id)) best = { id, day: x.day };
    });
    return best?.id;
  };
  for (const versions of m.templates) for (const v of versions) if (v !== undefined) out.add(v);
  for (const [type, base] of m.pipelines) {
    const id = type === 'IMAGE' ? base : newestOf(base);
    if (id !== undefined) out.add(id);
  }
  for (const s of m.scaling) {
    const id = 'ImageId' in s ? s.ImageId : newestOf(s.ImageFamily);
    if (id !== undefined) out.add(id);
  }
  for (const e of m.executors) if (!FINISHED_EXECUTOR_STATUSES.includes(e.status)) out.add(e.image);
  return out;
}

describe('in-use reference properties', () => {
  it('(a) a referenced image is never a candidate; an unreferenced one nothing protects always is', async () => {
    const everything = policy({ regions: [R], rules: [rule({ name: 'all', resource: 'ecs-image', keep: {} })], limits: { maxDeletionsPerRun: 1_000_000, maxDeletionPercent: 100, requestsPerSecond: 1000 } });
    await fc.assert(
      fc.asyncProperty(arbReferenceFleet, async (m) => {
        const { api } = inProcess(toFleet(m));
        const inventory = await takeInventory(api, everything);
        expect(inventory.failures).toEqual([]);
        expect(inventory.lookupFailures).toEqual([]);
        const result = plan(inventory, everything, NOW);
        const named = referenced(m);
        for (const p of result.items) {
          if (named.has(p.id)) {
            expect(p.decision, p.id).toBe('protect');
            expect(p.reasons, p.id).toContain('in-use');
          } else {
            // Every status in the model is at rest, and nothing else protects these.
            expect(p.decision, `${p.id}: ${p.detail}`).toBe('delete');
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------- (b) snapshot sharing

const SNAPSHOTS = ['s-0', 's-1', 's-2', 's-3', 's-4', 's-5'];

const arbSharing = fc.integer({ min: 1, max: 8 }).chain((n) =>
  fc.record({
    images: fc.array(fc.uniqueArray(fc.constantFrom(...SNAPSHOTS), { minLength: 1, maxLength: 3 }), { minLength: n, maxLength: n }),
    disks: fc.array(fc.constantFrom(...SNAPSHOTS), { maxLength: 3 }),
    templateDisks: fc.array(fc.constantFrom(...SNAPSHOTS), { maxLength: 2 }),
    deleted: fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i)),
  }),
);

describe('snapshot cascade properties', () => {
  it('(b) no snapshot used by a kept image, a disk or a launch template is ever asked to be deleted; every freed one is', async () => {
    await fc.assert(
      fc.asyncProperty(arbSharing, async (m) => {
        const images: FleetImage[] = m.images.map((snaps, i) => ({
          ImageId: `m-${i}`,
          CreationTime: day(i),
          DiskDeviceMappings: snaps.map((id) => ({ SnapshotId: id, Size: 10 })),
        }));
        const fleet: Fleet = {
          regions: {
            [R]: {
              images,
              disks: m.disks.map((s, i) => ({ DiskId: `d-${i}`, SourceSnapshotId: s })),
              launchTemplates: m.templateDisks.length === 0 ? [] : [{ LaunchTemplateId: 'lt-1', versions: [{ VersionNumber: 1, DataDisks: m.templateDisks.map((s) => ({ SnapshotId: s })) }] }],
            },
          },
        };
        const deletedSoFar = new Set<string>();
        const violations: string[] = [];
        const asked = new Set<string>();
        // The permissive cloud: DeleteSnapshot refuses nothing (so only image-gc's checks stand); the oracle watches.
        const { api, state } = inProcess(fleet, (action, params) => {
          if (action !== 'ecs.DeleteSnapshot') return;
          const id = params['SnapshotId']!;
          asked.add(id);
          const users = m.images.map((snaps, i) => ({ id: `m-${i}`, snaps })).filter((x) => !deletedSoFar.has(x.id) && x.snaps.includes(id));
          if (users.length > 0) violations.push(`${id} still used by ${users.map((u) => u.id).join(',')}`);
          if (m.disks.includes(id)) violations.push(`${id} is a disk's source`);
          if (m.templateDisks.includes(id)) violations.push(`${id} is a launch template data disk`);
          // Let it go whatever ECS would say: the image references are dropped from the region first.
          for (const img of state.region(R).images.values()) {
            if (img.DiskDeviceMappings?.some((d) => d.SnapshotId === id)) img.DiskDeviceMappings = img.DiskDeviceMappings.filter((d) => d.SnapshotId !== id);
          }
          state.region(R).disks.splice(0, state.region(R).disks.length, ...state.region(R).disks.filter((d) => d.SourceSnapshotId !== id));
        });
        const refs = await gatherReferences(api, R, memo());
        expect(refs.failures).toEqual([]);
        const items = new Map<string, InventoryItem>();
        const raw = await api.call('ecs.DescribeImages', R, { RegionId: R, PageSize: 100 });
        for (const r of (raw['Images'] as { Image: Array<Record<string, unknown>> }).Image) {
          const f = ecsImageFacts(r);
          items.set(f.id, withReferences({ kind: 'ecs-image', region: R, osTag: null, productType: null, ...f }, refs));
        }
        for (const index of m.deleted) {
          const id = `m-${index}`;
          const item = items.get(id)!;
          await api.call('ecs.DeleteImage', R, { RegionId: R, ImageId: id, Force: false });
          deletedSoFar.add(id);
          const p = { kind: 'ecs-image', region: R, id, name: id, rule: 'r', snapshots: (item.snapshots ?? []).map((s) => ({ id: s.id, sizeGiB: s.sizeGiB, action: 'delete', detail: '' })) } as unknown as PlanItem;
          await cascadeSnapshots({ api, item, plan: p, deadline: Infinity, now: () => 0 });
        }
        expect(violations).toEqual([]);
        // Liveness: a snapshot of a deleted image that nothing uses any more was asked to go.
        const kept = new Set(m.images.flatMap((snaps, i) => (deletedSoFar.has(`m-${i}`) ? [] : snaps)));
        for (const index of m.deleted) {
          for (const s of m.images[index]!) {
            const free = !kept.has(s) && !m.disks.includes(s) && !m.templateDisks.includes(s);
            expect(asked.has(s), `${s} free=${free}`).toBe(free);
          }
        }
      }),
      { numRuns: RUNS * 2 },
    );
  });
});
