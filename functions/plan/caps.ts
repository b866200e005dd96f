/**
 * The safety caps, applied after every item has its decision, so that they judge the whole plan and
 * a dry run shows exactly what the real run would stop (the plan is the run).
 */
import type { ListingFailure, ResourceKind } from '../inventory/types.js';
import type { AbortedGroup } from './types.js';
import { ACTED_ON, type Draft } from './draft.js';
import { compareForDeletion } from './order.js';

interface RegionKindGroup {
  readonly kind: ResourceKind;
  readonly region: string;
  readonly rank: number;
  readonly members: Draft[];
}

function byRegionAndKind(drafts: readonly Draft[]): RegionKindGroup[] {
  const groups = new Map<number, RegionKindGroup>();
  for (const draft of drafts) {
    const rank = draft.kindRegionRank;
    let group = groups.get(rank);
    if (group === undefined) {
      group = { kind: draft.item.kind, region: draft.item.region, rank, members: [] };
      groups.set(rank, group);
    }
    group.members.push(draft);
  }
  return [...groups.values()].sort((a, b) => a.rank - b.rank);
}

/**
 * maxDeletionPercent: a region and kind where more than `limit`% of what was listed would go is
 * stopped whole. Exactly at the limit is allowed. "Listed" is every item of that region and kind in
 * the inventory, protected and unmatched ones included, and "would go" is every candidate (delete,
 * mark and wait), because a mark is a deletion announced.
 */
export function abortOverPercent(drafts: readonly Draft[], limit: number): AbortedGroup[] {
  const aborted: AbortedGroup[] = [];
  for (const { kind, region, members } of byRegionAndKind(drafts)) {
    const candidates = members.filter((d) => ACTED_ON.has(d.decision));
    const listed = members.length;
    // Compared multiplied out, so no rounding decides a boundary case.
    if (candidates.length * 100 <= limit * listed) continue;
    const percent = Math.round((candidates.length * 1000) / listed) / 10;
    aborted.push({ kind, region, listed, candidates: candidates.length, percent, limit });
    // One prefix per group, not per item: the plan may hold 100,000 of these sentences.
    const prefix = `aborted: ${candidates.length} of ${listed} ${kind} in ${region} are candidates (${percent}%), above maxDeletionPercent ${limit}; `;
    for (const draft of candidates) {
      draft.reasons = ['max-deletion-percent', ...draft.reasons];
      draft.detail = prefix + draft.detail;
      draft.decision = 'abort';
    }
  }
  return aborted;
}

/**
 * A region and kind whose listing failed: the inventory may be partial, so nothing of it is acted on
 * in this run. The decision is `abort`; the plan types have no reason code for it yet, so the rule's
 * own findings stay as the reasons and the detail names the failure.
 */
export function abortFailedListings(drafts: readonly Draft[], failures: readonly ListingFailure[]): void {
  if (failures.length === 0) return;
  const failed = new Map(failures.map((f) => [`${f.kind}\u0000${f.region}`, f]));
  for (const draft of drafts) {
    if (!ACTED_ON.has(draft.decision)) continue;
    const failure = failed.get(`${draft.item.kind}\u0000${draft.item.region}`);
    if (failure === undefined) continue;
    draft.detail = `aborted: listing ${failure.kind} in ${failure.region} failed (${failure.code}), nothing of it is acted on this run; ${draft.detail}`;
    draft.decision = 'abort';
  }
}

/**
 * maxDeletionsPerRun: deletions oldest first across every region and kind; the rest wait for the
 * next run. Marks are not deletions and are not counted.
 */
export function deferOverRunLimit(drafts: readonly Draft[], maxDeletions: number): void {
  const deletions = drafts.filter((d) => d.decision === 'delete').sort(compareForDeletion);
  const prefix = `deferred: maxDeletionsPerRun ${maxDeletions} reached; `;
  for (const draft of deletions.slice(Math.max(0, maxDeletions))) {
    draft.reasons = ['max-deletions-per-run', ...draft.reasons];
    draft.detail = prefix + draft.detail;
    draft.decision = 'defer';
  }
}
