/**
 * The plan: one decision per inventory item, with the rule and the reasons behind it.
 * Vocabulary fixed by ../shared/spec/policy.md ("What every item gets").
 */
import type { ResourceKind } from '../inventory/types.js';

export const DECISIONS = ['delete', 'mark', 'wait', 'unmark', 'keep', 'protect', 'defer', 'abort'] as const;
export type Decision = (typeof DECISIONS)[number];

/** How many items got each decision, every decision present. */
export function countDecisions(items: Iterable<{ readonly decision: Decision }>): Record<Decision, number> {
  const counts = Object.fromEntries(DECISIONS.map((d) => [d, 0])) as Record<Decision, number>;
  for (const i of items) counts[i.decision] += 1;
  return counts;
}

/** Why an item is kept. */
export const KEEP_REASONS = ['newest', 'younger-than', 'active-within', 'unmatched'] as const;
/** Why an item is protected; protections win over every rule. */
export const PROTECT_REASONS = [
  'tag',
  'id',
  'in-use',
  'shared',
  'public',
  'busy',
  'unknown-age',
  'not-owned',
  'running-execution',
] as const;
/**
 * Why an item is a candidate (delete, mark, wait, defer, abort): what each matching rule found
 * (`not-newest`: ranked past keep.newest in its group; `not-young`: older than keep.youngerThan;
 * `not-active`: no activity within keep.activeWithin; `no-keep`: the rule keeps nothing),
 * then what the run did with it (`grace`, `max-deletions-per-run`, `max-deletion-percent`).
 */
export const CANDIDATE_REASONS = [
  'not-newest',
  'not-young',
  'not-active',
  'no-keep',
  'grace',
  'max-deletions-per-run',
  'max-deletion-percent',
] as const;

export type KeepReason = (typeof KEEP_REASONS)[number];
export type ProtectReason = (typeof PROTECT_REASONS)[number];
export type CandidateReason = (typeof CANDIDATE_REASONS)[number];
export type Reason = KeepReason | ProtectReason | CandidateReason;

/**
 * A snapshot behind an image the plan deletes under a rule with `deleteSnapshots`, checked before
 * the run (run.ts previewSnapshots) so that a dry run shows what would go and what it saves.
 * The sweep checks every one again right before deleting it.
 */
export interface PlannedSnapshot {
  readonly id: string;
  /** The size DiskDeviceMappings gives (the source disk's), GiB; null when it gives none. */
  readonly sizeGiB: number | null;
  /** delete: nothing else uses it; keep: something does; unknown: the check failed (it would be kept). */
  readonly action: 'delete' | 'keep' | 'unknown';
  /** What the check found: `image m-x uses it`, `disk d-x was created from it`, `nothing else uses it`. */
  readonly detail: string;
}

export interface PlanItem {
  readonly kind: ResourceKind;
  readonly region: string;
  readonly id: string;
  readonly name: string;
  readonly createdAt: string | null;
  readonly sizeGiB: number | null;
  readonly decision: Decision;
  /** The rule behind the decision; null for protections that no rule was needed for, and unmatched items. */
  readonly rule: string | null;
  /** Codes, most important first. */
  readonly reasons: readonly Reason[];
  /** One sentence a person can read: "3rd newest of family hpc-base; rule keeps 3". */
  readonly detail: string;
  /** The grace mark found on the item, if any (ISO time). */
  readonly markedAt: string | null;
  /** The keep.newest group the item was ranked in, if any. */
  readonly group: string | null;
  /** What the inventory could not resolve about this item. */
  readonly warnings: readonly string[];
  /** A delete under a rule with deleteSnapshots: the image's snapshots and whether they would go too. */
  readonly snapshots?: readonly PlannedSnapshot[];
}

/** A region and kind stopped by maxDeletionPercent: none of its candidates are acted on. */
export interface AbortedGroup {
  readonly kind: ResourceKind;
  readonly region: string;
  readonly listed: number;
  readonly candidates: number;
  /** candidates / listed * 100, rounded to one decimal. */
  readonly percent: number;
  readonly limit: number;
}

export interface Plan {
  /** The clock the plan was computed against (ISO). */
  readonly now: string;
  /** Items in a stable order: kind, region, then newest first, then ID. */
  readonly items: readonly PlanItem[];
  readonly aborted: readonly AbortedGroup[];
  readonly counts: Readonly<Record<Decision, number>>;
}
