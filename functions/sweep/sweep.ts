/**
 * The sweep: carries out a plan's deletions, marks and unmarks, and nothing else. It never
 * decides anything itself: the plan says what, the resource modules say how. Every outcome is
 * reported the moment it is known, so a run killed halfway has still logged what it did.
 */
import pLimit from 'p-limit';
import type { CloudApi } from '../cloud/api.js';
import { errorFields } from '../cloud/errors.js';
import { MODULES } from '../inventory/index.js';
import { itemKey, type InventoryItem } from '../inventory/types.js';
import { MARK_TAG_KEY } from '../policy/types.js';
import type { Plan, PlanItem } from '../plan/types.js';
import { recheckOutcome, type Recheck } from './recheck.js';
import { cascadeSnapshots } from './snapshots.js';
import type { ItemOutcome, Outcome, SnapshotOutcome } from './types.js';

export interface SweepOptions {
  readonly api: CloudApi;
  readonly plan: Plan;
  readonly inventory: ReadonlyMap<string, InventoryItem>;
  /** Deletions in flight per region. */
  readonly concurrency: number;
  /** Epoch ms after which no new work starts. */
  readonly deadline: number;
  readonly now?: () => number;
  /** Right before an item's delete call: the intent is on record even if no answer ever comes. */
  readonly onDeleting?: (p: PlanItem) => void;
  readonly onOutcome?: (o: ItemOutcome) => void;
  /** Each snapshot of a deleted image under a rule with deleteSnapshots (snapshots.ts), as it is known. */
  readonly onSnapshotOutcome?: (o: SnapshotOutcome) => void;
  /** Re-reads each item right before its deletion (recheck.ts); what it stops is not deleted. */
  readonly recheck: Recheck;
}

/** TagResources and UntagResources take at most 50 resource IDs a call. */
const TAG_BATCH = 50;

export async function sweep(opts: SweepOptions): Promise<ItemOutcome[]> {
  const now = opts.now ?? Date.now;
  const outcomes: ItemOutcome[] = [];
  const report = (o: ItemOutcome) => {
    outcomes.push(o);
    opts.onOutcome?.(o);
  };
  const ctx = { ...opts, now, report };
  await Promise.all([deleteAll(ctx), tagAll(ctx, 'mark'), tagAll(ctx, 'unmark')]);
  return outcomes;
}

type Ctx = SweepOptions & { now: () => number; report: (o: ItemOutcome) => void };

function outcomeOf(p: PlanItem, outcome: Outcome, started: number, ctx: Ctx, extra: Partial<ItemOutcome> = {}): ItemOutcome {
  return {
    kind: p.kind,
    region: p.region,
    id: p.id,
    name: p.name,
    decision: p.decision,
    rule: p.rule,
    outcome,
    code: null,
    httpStatus: null,
    requestId: null,
    message: null,
    steps: [],
    durationMs: ctx.now() - started,
    gibReclaimed: 0,
    ...extra,
  };
}

/** Oldest first, as the plan's per-run cap counted them. */
function oldestFirst(a: PlanItem, b: PlanItem): number {
  const ta = a.createdAt ?? '';
  const tb = b.createdAt ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  return itemKey(a).localeCompare(itemKey(b));
}

async function deleteAll(ctx: Ctx): Promise<void> {
  const todo = ctx.plan.items.filter((p) => p.decision === 'delete').sort(oldestFirst);
  const perRegion = new Map<string, ReturnType<typeof pLimit>>();
  await Promise.all(
    todo.map((p) => {
      let limit = perRegion.get(p.region);
      if (limit === undefined) {
        limit = pLimit(ctx.concurrency);
        perRegion.set(p.region, limit);
      }
      return limit(() => deleteOne(ctx, p));
    }),
  );
}

async function deleteOne(ctx: Ctx, p: PlanItem): Promise<void> {
  const started = ctx.now();
  if (started >= ctx.deadline) {
    ctx.report(outcomeOf(p, 'skipped', started, ctx, { code: 'Deadline', message: 'not started: the run reached its deadline' }));
    return;
  }
  const item = ctx.inventory.get(itemKey(p));
  if (item === undefined) {
    // The plan names something the inventory does not hold: a programming error, never a deletion.
    ctx.report(outcomeOf(p, 'failed', started, ctx, { code: 'NotInInventory', message: 'the plan item has no inventory record' }));
    return;
  }
  // Right before the deletion: still what was decided on, and still a candidate? Else no delete call.
  const checked = await ctx.recheck(p, item);
  if (checked.verdict !== 'ok') {
    const stopped = recheckOutcome(checked);
    if (stopped !== null) ctx.report(outcomeOf(p, stopped.outcome, started, ctx, stopped));
    return;
  }
  ctx.onDeleting?.(p);
  const result = await MODULES[p.kind].remove(ctx.api, item);
  ctx.report(
    outcomeOf(p, result.outcome, started, ctx, {
      code: result.code,
      httpStatus: result.httpStatus,
      requestId: result.requestId,
      message: result.message,
      steps: result.steps,
      gibReclaimed: result.outcome === 'deleted' ? (item.sizeGiB ?? 0) : 0,
    }),
  );
  // The snapshots it leaves behind (rules with deleteSnapshots); their outcomes never change the image's.
  if ((result.outcome === 'deleted' || result.outcome === 'already-gone') && p.snapshots !== undefined) {
    for (const o of await cascadeSnapshots({ api: ctx.api, item, plan: p, deadline: ctx.deadline, now: ctx.now })) ctx.onSnapshotOutcome?.(o);
  }
}

/** Marks and unmarks go out in batches of 50 per region; a batch the API refuses is retried one by one. */
async function tagAll(ctx: Ctx, decision: 'mark' | 'unmark'): Promise<void> {
  const byRegion = new Map<string, PlanItem[]>();
  for (const p of ctx.plan.items) {
    if (p.decision !== decision) continue;
    const items = byRegion.get(p.region);
    if (items === undefined) byRegion.set(p.region, [p]);
    else items.push(p);
  }
  await Promise.all(
    [...byRegion.entries()].map(async ([region, items]) => {
      const sorted = [...items].sort((a, b) => a.id.localeCompare(b.id));
      for (let i = 0; i < sorted.length; i += TAG_BATCH) {
        const batch = sorted.slice(i, i + TAG_BATCH);
        const failed = await tagBatch(ctx, decision, region, batch);
        if (failed !== null && batch.length > 1) {
          for (const p of batch) await tagBatch(ctx, decision, region, [p]);
        } else if (failed !== null) {
          ctx.report(failed);
        }
      }
    }),
  );
}

/** Tags or untags a batch; reports success for each item, or returns the failure (for one item) to report. */
async function tagBatch(ctx: Ctx, decision: 'mark' | 'unmark', region: string, batch: PlanItem[]): Promise<ItemOutcome | null> {
  const started = ctx.now();
  if (started >= ctx.deadline) {
    for (const p of batch) ctx.report(outcomeOf(p, 'skipped', started, ctx, { code: 'Deadline', message: 'not started: the run reached its deadline' }));
    return null;
  }
  const ids = batch.map((p) => p.id);
  const label = decision === 'mark' ? 'TagResources' : 'UntagResources';
  try {
    if (decision === 'mark') {
      await ctx.api.call('ecs.TagResources', region, {
        RegionId: region,
        ResourceType: 'image',
        ResourceId: ids,
        Tag: [{ Key: MARK_TAG_KEY, Value: ctx.plan.now }],
      });
    } else {
      await ctx.api.call('ecs.UntagResources', region, { RegionId: region, ResourceType: 'image', ResourceId: ids, TagKey: [MARK_TAG_KEY] });
    }
    for (const p of batch) ctx.report(outcomeOf(p, decision === 'mark' ? 'marked' : 'unmarked', started, ctx, { steps: [`${label}:ok`] }));
    return null;
  } catch (e) {
    const fields = errorFields(e);
    return outcomeOf(batch[0] as PlanItem, 'failed', started, ctx, { ...fields, steps: [`${label}:${fields.code}`] });
  }
}
