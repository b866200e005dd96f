/**
 * The snapshot cascade. ECS DeleteImage leaves the image's snapshots behind, and they are what
 * the storage bill is for: an image's size is its snapshots'. Under a rule with
 * `deleteSnapshots: true`, once an image is deleted each snapshot behind it (DiskDeviceMappings)
 * is deleted too, unless something else still uses it:
 *
 * - another image (DescribeImages SnapshotId=<id>, every status: a failed or creating image counts),
 * - a disk created from it (DescribeDisks SnapshotId=<id>),
 * - a launch template version or scaling configuration naming it as a data-disk source (the
 *   region's in-use references, SnapshotRef.referencedBy),
 *
 * and ECS's own refusals (DeleteSnapshot Force=false: SnapshotCreatedImage, SnapshotCreatedDisk,
 * …) are the last guard. A check that fails keeps the snapshot (fail closed). A snapshot's outcome
 * never changes its image's.
 *
 * The same check runs before the run (previewSnapshots), so that a dry run shows which snapshots
 * would go and the GiB they hold, and again right before each deletion, since the cloud may have
 * changed in between (another image deleted in the same run frees a shared snapshot).
 * Facts: ECS DeleteSnapshot error table, https://www.alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-deletesnapshot
 */
import type { CloudApi } from '../cloud/api.js';
import { errorFields } from '../cloud/errors.js';
import { deletionStep } from '../inventory/resource.js';
import { ALL_IMAGE_STATUSES } from '../inventory/ecs-describe.js';
import { isRecord, path, records, text } from '../inventory/fields.js';
import { itemKey, type InventoryItem, type SnapshotRef } from '../inventory/types.js';
import type { Plan, PlanItem, PlannedSnapshot } from '../plan/types.js';
import type { Policy } from '../policy/types.js';
import type { SnapshotOutcome, SnapshotOutcomeKind } from './types.js';

/** DeleteSnapshot answers that mean the snapshot stays for a reason of its own. */
export const SNAPSHOT_DELETE_REFUSALS: ReadonlySet<string> = new Set([
  'SnapshotCreatedImage',
  'SnapshotCreatedDisk',
  'InvalidOperation.DeleteSharedSnapshotUnsupported',
  'InvalidOperation.ResourceManagedByCloudProduct',
  'IncorrectDiskStatus.CreatingSnapshot',
  'InvalidOperation.RelatedSnapshotNotFinished',
]);
export const SNAPSHOT_GONE: ReadonlySet<string> = new Set(['InvalidSnapshotId.NotFound']);

/** DescribeDisks takes MaxResults 10..500; one page answers "does any disk come from it". */
const DISKS_PAGE = 10;
const MAX_NAMED = 3;

export interface SnapshotCheck {
  /** true: nothing else uses it; false: something does; null: could not tell. */
  readonly free: boolean | null;
  readonly detail: string;
  readonly steps: readonly string[];
  readonly code: string | null;
  readonly httpStatus: number | null;
  readonly requestId: string | null;
}

function named(ids: readonly string[]): string {
  return ids.length <= MAX_NAMED ? ids.join(', ') : `${ids.slice(0, MAX_NAMED).join(', ')} and ${ids.length - MAX_NAMED} more`;
}

function count(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 0 ? n : null;
}

/**
 * Whether `snap`, behind `imageId` (just deleted, or about to be), is used by anything else.
 * Read-only; never throws: an API error makes the answer unknown.
 */
export async function checkSnapshot(api: CloudApi, region: string, imageId: string, snap: SnapshotRef): Promise<SnapshotCheck> {
  const steps: string[] = [];
  const result = (free: boolean | null, detail: string, err?: unknown): SnapshotCheck => {
    const f = err === undefined ? null : errorFields(err);
    return { free, detail, steps, code: f?.code ?? null, httpStatus: f?.httpStatus ?? null, requestId: f?.requestId ?? null };
  };
  if (snap.referencedBy !== undefined && snap.referencedBy.length > 0) {
    return result(false, `named by ${named(snap.referencedBy)}`);
  }

  let images;
  try {
    images = await api.call('ecs.DescribeImages', region, { RegionId: region, SnapshotId: snap.id, Status: ALL_IMAGE_STATUSES, PageSize: 100 });
    steps.push('DescribeImages:ok');
  } catch (e) {
    const { code } = errorFields(e);
    steps.push(`DescribeImages:${code}`);
    return result(null, `could not tell whether another image uses it (DescribeImages ${code})`, e);
  }
  if (!isRecord(images['Images'])) return result(null, 'DescribeImages answered without an Images list');
  const listed = records(path(images, 'Images', 'Image'));
  const others = listed.map((i) => text(i, 'ImageId')).filter((id): id is string => id !== null && id !== imageId);
  if (others.length > 0) return result(false, `image ${named(others)} uses it`);
  const claimed = count(images['TotalCount']);
  if (claimed === null || claimed > listed.length) return result(null, `DescribeImages claims ${String(images['TotalCount'])} images use it but listed ${listed.length}`);

  let disks;
  try {
    disks = await api.call('ecs.DescribeDisks', region, { RegionId: region, SnapshotId: snap.id, MaxResults: DISKS_PAGE });
    steps.push('DescribeDisks:ok');
  } catch (e) {
    const { code } = errorFields(e);
    steps.push(`DescribeDisks:${code}`);
    return result(null, `could not tell whether a disk was created from it (DescribeDisks ${code})`, e);
  }
  if (!isRecord(disks['Disks'])) return result(null, 'DescribeDisks answered without a Disks list');
  const diskIds = records(path(disks, 'Disks', 'Disk')).map((d) => text(d, 'DiskId') ?? '?');
  if (diskIds.length > 0) return result(false, `disk ${named(diskIds)} was created from it`);
  const next = disks['NextToken'];
  const total = count(disks['TotalCount']);
  if ((typeof next === 'string' && next !== '') || (total !== null && total > 0)) {
    return result(null, 'DescribeDisks listed no disk but says there are more');
  }
  return result(true, 'nothing else uses it');
}

function ruleOf(policy: Policy, name: string | null) {
  return name === null ? undefined : policy.rules.find((r) => r.name === name);
}

/** The snapshots behind an item, each once. */
function snapshotsOf(item: InventoryItem): SnapshotRef[] {
  const seen = new Set<string>();
  return (item.snapshots ?? []).filter((s) => !seen.has(s.id) && seen.add(s.id));
}

/**
 * The plan with each `delete` under a rule with deleteSnapshots carrying its snapshots and the
 * verdict of the check. Read-only (safe in dry-run); other items are returned as they are.
 */
export async function previewSnapshots(api: CloudApi, plan: Plan, inventory: ReadonlyMap<string, InventoryItem>, policy: Policy): Promise<Plan> {
  const items = await Promise.all(
    plan.items.map(async (p): Promise<PlanItem> => {
      if (p.decision !== 'delete' || ruleOf(policy, p.rule)?.deleteSnapshots !== true) return p;
      const item = inventory.get(itemKey(p));
      if (item === undefined) return p;
      const snapshots: PlannedSnapshot[] = [];
      for (const snap of snapshotsOf(item)) {
        const check = await checkSnapshot(api, item.region, item.id, snap);
        snapshots.push({
          id: snap.id,
          sizeGiB: snap.sizeGiB,
          action: check.free === true ? 'delete' : check.free === false ? 'keep' : 'unknown',
          detail: check.detail,
        });
      }
      return { ...p, snapshots };
    }),
  );
  return { ...plan, items };
}

/** Snapshot GiB a plan would free: each snapshot previewed free, counted once. */
export function plannedSnapshotTotals(plan: Plan): { count: number; gib: number; kept: number } {
  const free = new Map<string, number>();
  const kept = new Set<string>();
  for (const p of plan.items) {
    for (const s of p.snapshots ?? []) {
      if (s.action === 'delete') free.set(s.id, s.sizeGiB ?? 0);
      else kept.add(s.id);
    }
  }
  for (const id of free.keys()) kept.delete(id);
  const gib = [...free.values()].reduce((a, b) => a + b, 0);
  return { count: free.size, gib: Math.round(gib * 1000) / 1000, kept: kept.size };
}

export interface CascadeOptions {
  readonly api: CloudApi;
  readonly item: InventoryItem;
  readonly plan: PlanItem;
  readonly deadline: number;
  readonly now: () => number;
}

/**
 * After `item` was deleted: each snapshot the plan lists for it is checked again and, if nothing
 * else uses it, deleted (Force=false). Every snapshot gets one outcome; never throws.
 */
export async function cascadeSnapshots(opts: CascadeOptions): Promise<SnapshotOutcome[]> {
  const { api, item, plan } = opts;
  const refs = new Map(snapshotsOf(item).map((s) => [s.id, s]));
  const outcomes: SnapshotOutcome[] = [];
  for (const planned of plan.snapshots ?? []) {
    const snap: SnapshotRef = refs.get(planned.id) ?? { id: planned.id, sizeGiB: planned.sizeGiB };
    const base = { kind: item.kind, region: item.region, imageId: item.id, imageName: item.name, rule: plan.rule, snapshotId: snap.id, sizeGiB: snap.sizeGiB };
    const outcome = (o: SnapshotOutcomeKind, detail: string, extra: Partial<SnapshotOutcome> = {}): SnapshotOutcome => ({
      ...base,
      outcome: o,
      code: null,
      httpStatus: null,
      requestId: null,
      message: null,
      detail,
      steps: [],
      gibReclaimed: 0,
      ...extra,
    });
    if (opts.now() >= opts.deadline) {
      outcomes.push(outcome('skipped', 'not started: the run reached its deadline', { code: 'Deadline' }));
      continue;
    }
    const check = await checkSnapshot(api, item.region, item.id, snap);
    if (check.free === false) {
      outcomes.push(outcome('kept', check.detail, { steps: check.steps }));
      continue;
    }
    if (check.free === null) {
      outcomes.push(outcome('failed', check.detail, { code: check.code ?? 'CheckInconclusive', httpStatus: check.httpStatus, requestId: check.requestId, steps: check.steps }));
      continue;
    }
    const steps = [...check.steps];
    const failed = await deletionStep(steps, 'DeleteSnapshot', { gone: SNAPSHOT_GONE, refused: SNAPSHOT_DELETE_REFUSALS }, () =>
      api.call('ecs.DeleteSnapshot', item.region, { RegionId: item.region, SnapshotId: snap.id, Force: false }),
    );
    if (failed === null) outcomes.push(outcome('deleted', check.detail, { steps, gibReclaimed: snap.sizeGiB ?? 0 }));
    else outcomes.push(outcome(failed.outcome, check.detail, { code: failed.code, httpStatus: failed.httpStatus, requestId: failed.requestId, message: failed.message, steps }));
  }
  return outcomes;
}
