/**
 * Total orders, so that the plan is the same whatever order the inventory arrived in.
 * Strings compare by code unit: localeCompare would make the order depend on the machine's locale.
 */
import { RESOURCE_KINDS, type InventoryItem } from '../inventory/types.js';
import type { Draft } from './draft.js';

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A number per item that orders (kind, region) groups: kind in RESOURCE_KINDS order, then region.
 * Computed once per plan so that sorting 100,000 items compares numbers, not strings and maps.
 */
export function kindRegionRanker(items: readonly InventoryItem[]): (item: InventoryItem) => number {
  const regions = [...new Set(items.map((i) => i.region))].sort(compareText);
  const regionRank = new Map(regions.map((region, index) => [region, index]));
  const kindRank = new Map(RESOURCE_KINDS.map((kind, index) => [kind, index]));
  return (item) => (kindRank.get(item.kind) ?? 0) * regions.length + (regionRank.get(item.region) ?? 0);
}

/** Plan order: kind, region, newest first (unknown times last), then ID. */
export function compareForPlan(a: Draft, b: Draft): number {
  return a.kindRegionRank - b.kindRegionRank || newestFirst(a.createdMs, b.createdMs) || compareText(a.item.id, b.item.id);
}

/** Deletion order: oldest first, then kind, region and ID. */
export function compareForDeletion(a: Draft, b: Draft): number {
  return oldestFirst(a.createdMs, b.createdMs) || a.kindRegionRank - b.kindRegionRank || compareText(a.item.id, b.item.id);
}

function newestFirst(a: number | null, b: number | null): number {
  if (a === null || b === null) return (a === null ? 1 : 0) - (b === null ? 1 : 0);
  return b - a;
}

/** Unknown times last here too, though a deletion never has one: such items are protected. */
function oldestFirst(a: number | null, b: number | null): number {
  if (a === null || b === null) return (a === null ? 1 : 0) - (b === null ? 1 : 0);
  return a - b;
}
