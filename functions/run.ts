/**
 * One run of the collector, the same for the Function Compute handler and the CLI:
 * policy -> inventory -> plan -> sweep -> report. The entry points only gather inputs
 * (credentials, clock, deadline, where the log goes) and hand them here.
 */
import { differenceInDays } from 'date-fns';
import type { ApiParams, CloudApi } from './cloud/api.js';
import type { ActionName } from './cloud/actions.js';
import { isCloudError } from './cloud/errors.js';
import { kindsOf, takeInventory } from './inventory/index.js';
import { itemKey, type Inventory, type InventoryItem } from './inventory/types.js';
import { plan as makePlan } from './plan/planner.js';
import type { Plan } from './plan/types.js';
import type { Mode, Policy } from './policy/types.js';
import type { AuditLog } from './report/audit-log.js';
import { summarise, type RunSummary } from './report/summary.js';
import { makeRecheck } from './sweep/recheck.js';
import { sweep } from './sweep/sweep.js';
import { previewSnapshots } from './sweep/snapshots.js';
import type { ItemOutcome, SnapshotOutcome } from './sweep/types.js';
import { VERSION } from './version.js';

export interface LoadedPolicy {
  readonly policy: Policy;
  readonly file: string;
  readonly sha256: string;
}

export interface RunInputs {
  readonly policy: LoadedPolicy;
  readonly api: CloudApi;
  readonly mode: Mode;
  /** Why this mode: `policy`, `--dry-run flag`, `trigger payload`, `IMAGE_GC_MODE`. */
  readonly modeReason: string;
  /** The clock ages are measured against. */
  readonly now: Date;
  /** Epoch ms after which no new deletion starts; null for none. */
  readonly deadline: number | null;
  readonly log: AuditLog;
  readonly trigger?: Record<string, unknown> | null;
  /** API calls made and throttled so far, for the summary. */
  readonly apiStats: () => { calls: number; throttled: number };
  readonly clock?: () => number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface RunResult {
  readonly summary: RunSummary;
  readonly plan: Plan;
  readonly inventory: Inventory;
  readonly outcomes: readonly ItemOutcome[];
  /** The snapshots of deleted images under deleteSnapshots, each with its outcome. */
  readonly snapshotOutcomes?: readonly SnapshotOutcome[];
}

/** Logs every API error that survives the client's retries, once, then passes it on. */
export function withApiErrorLog(api: CloudApi, log: AuditLog): CloudApi {
  return {
    async call(action: ActionName, region: string, params: ApiParams) {
      try {
        return await api.call(action, region, params);
      } catch (e) {
        if (isCloudError(e)) {
          log.apiError({ action: e.action, region: e.region, code: e.code, httpStatus: e.httpStatus, requestId: e.requestId, errorClass: e.errorClass, attempts: e.attempts, message: e.message });
        }
        throw e;
      }
    },
  };
}

/** The inventory, each listing and each failed listing or in-use lookup logged as it is known. */
export async function takeLoggedInventory(api: CloudApi, policy: Policy, log?: AuditLog): Promise<Inventory> {
  const inventory = await takeInventory(api, policy, {
    onListed: (e) => log?.listed(e),
    onFailed: (e) => log?.listFailed(e),
  });
  for (const f of inventory.lookupFailures ?? []) log?.lookupFailed(f);
  return inventory;
}

/** Lists and plans: everything a run does before it changes anything. */
export async function inventoryAndPlan(
  api: CloudApi,
  policy: Policy,
  now: Date,
  log?: AuditLog,
): Promise<{ inventory: Inventory; plan: Plan; byKey: ReadonlyMap<string, InventoryItem> }> {
  const inventory = await takeLoggedInventory(api, policy, log);
  // Deletions under deleteSnapshots carry their snapshots and whether they would go too (read-only checks).
  const byKey = new Map<string, InventoryItem>(inventory.items.map((i) => [itemKey(i), i]));
  const plan = await previewSnapshots(api, makePlan(inventory, policy, now), byKey, policy);
  return { inventory, plan, byKey };
}

export function ageInDays(createdAt: string | null, now: Date): number | null {
  return createdAt === null ? null : differenceInDays(now, new Date(createdAt));
}

export async function runCollector(inputs: RunInputs): Promise<RunResult> {
  const clock = inputs.clock ?? Date.now;
  const started = clock();
  const { policy, log } = inputs;
  log.runStart({
    mode: inputs.mode,
    modeReason: inputs.modeReason,
    policyFile: policy.file,
    policySha256: policy.sha256,
    regions: policy.policy.regions,
    kinds: kindsOf(policy.policy),
    now: inputs.now.toISOString(),
    deadline: inputs.deadline === null ? null : new Date(inputs.deadline).toISOString(),
    trigger: inputs.trigger ?? null,
    version: VERSION,
  });
  const api = withApiErrorLog(inputs.api, log);
  // One map of the listing by key serves the log, the sweep and the re-check: at 100,000 images
  // every extra map of it costs several MiB.
  const { inventory, plan, byKey } = await inventoryAndPlan(api, policy.policy, inputs.now, log);
  for (const p of plan.items) log.decision(p, inputs.mode, ageInDays(p.createdAt, inputs.now), byKey.get(itemKey(p))?.raw ?? null);
  for (const g of plan.aborted) log.groupAborted(g);

  let outcomes: ItemOutcome[] = [];
  const snapshotOutcomes: SnapshotOutcome[] = [];
  if (inputs.mode === 'enforce') {
    const planned = new Map(plan.items.filter((p) => p.decision === 'delete').map((p) => [itemKey(p), p]));
    const total = plan.counts.delete + plan.counts.mark + plan.counts.unmark;
    let done = 0;
    outcomes = await sweep({
      api,
      plan,
      inventory: byKey,
      concurrency: policy.policy.limits.concurrency,
      deadline: inputs.deadline ?? Number.POSITIVE_INFINITY,
      now: clock,
      // Each item is read again right before its deletion and decided again over this listing.
      recheck: makeRecheck({ api, policy: policy.policy, now: inputs.now, items: inventory.items, decided: (listed) => planned.get(itemKey(listed)) }),
      onDeleting: (p) => log.deleting(p),
      onOutcome: (o) => {
        log.outcome(o);
        inputs.onProgress?.(++done, total);
      },
      onSnapshotOutcome: (o) => {
        snapshotOutcomes.push(o);
        log.snapshotOutcome(o);
      },
    });
  }
  const stats = inputs.apiStats();
  const summary = summarise({
    runId: log.runId,
    mode: inputs.mode,
    policyFile: policy.file,
    policySha256: policy.sha256,
    plan,
    listed: inventory.listed,
    listingFailures: inventory.failures,
    outcomes,
    startedAt: started,
    finishedAt: clock(),
    apiCalls: stats.calls,
    throttled: stats.throttled,
    snapshotOutcomes,
    lookupFailures: inventory.lookupFailures ?? [],
    ...(policy.policy.costs !== undefined && { costs: policy.policy.costs }),
  });
  log.runFinish(summary);
  return { summary, plan, inventory, outcomes, snapshotOutcomes };
}
