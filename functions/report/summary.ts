/** The run's summary: what `run.finish` logs, the handler returns and the CLI prints. */
import type { ListingFailure, LookupFailure, ResourceKind } from '../inventory/types.js';
import { DECISIONS, type AbortedGroup, type Decision, type Plan } from '../plan/types.js';
import { DEFAULT_COSTS, type Costs } from '../policy/types.js';
import { plannedSnapshotTotals } from '../sweep/snapshots.js';
import { OUTCOMES, SNAPSHOT_OUTCOMES, type ItemOutcome, type Outcome, type SnapshotOutcome, type SnapshotOutcomeKind } from '../sweep/types.js';

/**
 * Storage the run freed (or, in dry-run, would free), images and snapshots apart: an ECS image's
 * storage is its snapshots, so deleting an image alone frees nothing that is billed. Sizes are
 * the ones DiskDeviceMappings gives (the source disks'): an upper bound on the billed snapshot
 * storage, which counts only the blocks a snapshot holds (docs/in-use-and-snapshots.md).
 */
export interface StorageSummary {
  /** Images deleted this run and their nominal size (ECS Size). Frees no billed storage by itself. */
  readonly imagesDeleted: number;
  readonly imageGiB: number;
  /** Snapshots deleted after their images (rules with deleteSnapshots), and their GiB. */
  readonly snapshotsDeleted: number;
  readonly snapshotGiB: number;
  /** Snapshots the plan's check found free (what a dry run says would go), counted once each. */
  readonly plannedSnapshots: number;
  readonly plannedSnapshotGiB: number;
  /** Snapshots the plan's check found in use (or could not clear), kept. */
  readonly plannedSnapshotsKept: number;
  readonly pricePerGiBMonth: number;
  readonly currency: string;
  /** `policy`, or `default` (a placeholder price, not yours: set costs in the policy). */
  readonly priceSource: 'policy' | 'default';
  /** snapshotGiB × price: the monthly saving from what this run deleted. */
  readonly estimatedMonthlySaving: number;
  /** plannedSnapshotGiB × price: what the plan would save (the dry-run figure). */
  readonly plannedMonthlySaving: number;
  readonly note: string;
}

export const STORAGE_NOTE =
  'imageGiB is nominal: deleting an ECS image frees no storage by itself, its snapshots hold it; only snapshotGiB is reclaimed storage. Sizes are the source disks\' (an upper bound on billed snapshot storage).';

export interface GroupSummary {
  readonly kind: ResourceKind;
  readonly region: string;
  readonly listed: number;
  readonly decisions: Partial<Record<Decision, number>>;
  readonly outcomes: Partial<Record<Outcome, number>>;
  readonly gibReclaimed: number;
}

export interface RunSummary {
  readonly runId: string;
  readonly mode: 'dry-run' | 'enforce';
  readonly policyFile: string;
  readonly policySha256: string;
  readonly now: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly listed: number;
  readonly decisions: Record<Decision, number>;
  readonly outcomes: Record<Outcome, number>;
  readonly groups: readonly GroupSummary[];
  /** Nominal GiB of the images deleted (see storage: this alone frees no billed storage). */
  readonly gibReclaimed: number;
  readonly storage: StorageSummary;
  readonly snapshotOutcomes: Record<SnapshotOutcomeKind, number>;
  /** In-use lookups that failed: every image of their region was protected this run. */
  readonly lookupFailures: readonly LookupFailure[];
  readonly apiCalls: number;
  readonly throttled: number;
  readonly aborted: readonly AbortedGroup[];
  readonly listingFailures: readonly ListingFailure[];
  /** Work not started because the deadline came (outcome skipped). */
  readonly leftByDeadline: number;
  /** Every decided action was attempted. */
  readonly completed: boolean;
  /** 0 done; 1 done with failures (snapshots' too), aborted groups, failed listings or failed in-use lookups (the CLI's exit status). */
  readonly exitStatus: 0 | 1;
}

export interface SummaryInput {
  readonly runId: string;
  readonly mode: 'dry-run' | 'enforce';
  readonly policyFile: string;
  readonly policySha256: string;
  readonly plan: Plan;
  readonly listed: ReadonlyArray<{ kind: ResourceKind; region: string; count: number }>;
  readonly listingFailures: readonly ListingFailure[];
  readonly outcomes: readonly ItemOutcome[];
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly apiCalls: number;
  readonly throttled: number;
  readonly snapshotOutcomes?: readonly SnapshotOutcome[];
  readonly lookupFailures?: readonly LookupFailure[];
  /** The policy's cost model; DEFAULT_COSTS when absent. */
  readonly costs?: Costs;
}

function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

export function summarise(input: SummaryInput): RunSummary {
  const decisions = zeroes(DECISIONS);
  const outcomes = zeroes(OUTCOMES);
  const groups = new Map<string, { kind: ResourceKind; region: string; listed: number; decisions: Partial<Record<Decision, number>>; outcomes: Partial<Record<Outcome, number>>; gibReclaimed: number }>();
  const group = (kind: ResourceKind, region: string) => {
    const key = `${kind}/${region}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = { kind, region, listed: 0, decisions: {}, outcomes: {}, gibReclaimed: 0 };
      groups.set(key, g);
    }
    return g;
  };
  for (const l of input.listed) group(l.kind, l.region).listed += l.count;
  for (const p of input.plan.items) {
    decisions[p.decision]++;
    const g = group(p.kind, p.region);
    g.decisions[p.decision] = (g.decisions[p.decision] ?? 0) + 1;
  }
  let gib = 0;
  for (const o of input.outcomes) {
    outcomes[o.outcome]++;
    const g = group(o.kind, o.region);
    g.outcomes[o.outcome] = (g.outcomes[o.outcome] ?? 0) + 1;
    g.gibReclaimed = round(g.gibReclaimed + o.gibReclaimed);
    gib += o.gibReclaimed;
  }
  const snapshotOutcomes = zeroes(SNAPSHOT_OUTCOMES);
  let snapshotGiB = 0;
  for (const o of input.snapshotOutcomes ?? []) {
    snapshotOutcomes[o.outcome]++;
    snapshotGiB += o.gibReclaimed;
  }
  const lookupFailures = input.lookupFailures ?? [];
  const storage = storageSummary(input, round(gib), snapshotOutcomes.deleted, round(snapshotGiB), outcomes.deleted);
  const leftByDeadline = outcomes.skipped;
  const troubled =
    outcomes.failed > 0 ||
    // A snapshot left behind now is orphaned for good: its image is gone, and runs list images, not snapshots.
    snapshotOutcomes.failed > 0 ||
    snapshotOutcomes.skipped > 0 ||
    input.plan.aborted.length > 0 ||
    input.listingFailures.length > 0 ||
    lookupFailures.length > 0 ||
    leftByDeadline > 0;
  return {
    runId: input.runId,
    mode: input.mode,
    policyFile: input.policyFile,
    policySha256: input.policySha256,
    now: input.plan.now,
    startedAt: new Date(input.startedAt).toISOString(),
    finishedAt: new Date(input.finishedAt).toISOString(),
    durationMs: input.finishedAt - input.startedAt,
    listed: input.plan.items.length,
    decisions,
    outcomes,
    groups: [...groups.values()].sort((a, b) => (a.kind + a.region).localeCompare(b.kind + b.region)),
    gibReclaimed: round(gib),
    storage,
    snapshotOutcomes,
    lookupFailures,
    apiCalls: input.apiCalls,
    throttled: input.throttled,
    aborted: input.plan.aborted,
    listingFailures: input.listingFailures,
    leftByDeadline,
    completed: leftByDeadline === 0,
    exitStatus: troubled ? 1 : 0,
  };
}

const money = (n: number) => Math.round(n * 100) / 100;

function storageSummary(input: SummaryInput, imageGiB: number, snapshotsDeleted: number, snapshotGiB: number, imagesDeleted: number): StorageSummary {
  const costs = input.costs ?? DEFAULT_COSTS;
  const planned = plannedSnapshotTotals(input.plan);
  return {
    imagesDeleted,
    imageGiB,
    snapshotsDeleted,
    snapshotGiB,
    ...plannedPriced(planned, costs),
    estimatedMonthlySaving: money(snapshotGiB * costs.snapshotPricePerGiBMonth),
  };
}

/** The planned snapshots and what they would save a month, at the policy's price. */
function plannedPriced(planned: ReturnType<typeof plannedSnapshotTotals>, costs: Costs) {
  return {
    plannedSnapshots: planned.count,
    plannedSnapshotGiB: planned.gib,
    plannedSnapshotsKept: planned.kept,
    pricePerGiBMonth: costs.snapshotPricePerGiBMonth,
    currency: costs.currency,
    priceSource: costs.source,
    plannedMonthlySaving: money(planned.gib * costs.snapshotPricePerGiBMonth),
    note: STORAGE_NOTE,
  };
}

/** What a plan would free (plan --json summary.storage): images and snapshots apart, priced. */
export function plannedStorage(plan: Plan, costs: Costs = DEFAULT_COSTS) {
  const planned = plannedSnapshotTotals(plan);
  const images = plan.items.filter((p) => p.decision === 'delete' && (p.kind === 'ecs-image' || p.kind === 'ehpc-image'));
  return {
    plannedImages: images.length,
    plannedImageGiB: round(images.reduce((a, p) => a + (p.sizeGiB ?? 0), 0)),
    ...plannedPriced(planned, costs),
  };
}
