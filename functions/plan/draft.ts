/**
 * A PlanItem while the plan is being made: the caps rewrite decisions after every item has one,
 * so the working copy is mutable. It is private to the planner and never reaches the caller.
 */
import type { InventoryItem } from '../inventory/types.js';
import type { Decision, PlanItem, Reason } from './types.js';

export interface Draft {
  readonly item: InventoryItem;
  /** Creation time as read (future included), for ordering; null when unknown. */
  readonly createdMs: number | null;
  /** Orders region-and-kind groups: kind in RESOURCE_KINDS order, then region (see order.ts). */
  readonly kindRegionRank: number;
  decision: Decision;
  rule: string | null;
  /** Possibly shared between drafts (the lists are made once); replaced, never changed in place. */
  reasons: readonly Reason[];
  detail: string;
  readonly markedAt: string | null;
  readonly group: string | null;
  readonly warnings: readonly string[];
}

/** The one place drafts are made, so that they all share one shape (and the sort stays fast). */
export function newDraft(
  item: InventoryItem,
  createdMs: number | null,
  kindRegionRank: number,
  markedAt: string | null,
  warnings: readonly string[],
  decision: Decision,
  rule: string | null,
  reasons: readonly Reason[],
  group: string | null,
  detail: string,
): Draft {
  return { item, createdMs, kindRegionRank, decision, rule, reasons, detail, markedAt, group, warnings };
}

const NO_WARNINGS: readonly string[] = Object.freeze([]);

/** Decisions under which an item is a candidate before the caps are applied. */
export const ACTED_ON: ReadonlySet<Decision> = new Set(['delete', 'mark', 'wait']);

export function toPlanItem(draft: Draft): PlanItem {
  const { item } = draft;
  return {
    kind: item.kind,
    region: item.region,
    id: item.id,
    name: item.name,
    createdAt: item.createdAt,
    sizeGiB: item.sizeGiB,
    decision: draft.decision,
    rule: draft.rule,
    // Shared lists are frozen, so handing them out is safe and saves 100,000 copies; warnings may be
    // the inventory's own (mutable) array, so a non-empty one is copied.
    reasons: Object.isFrozen(draft.reasons) ? draft.reasons : [...draft.reasons],
    detail: draft.detail,
    markedAt: draft.markedAt,
    group: draft.group,
    warnings: draft.warnings.length === 0 ? NO_WARNINGS : [...draft.warnings],
  };
}
