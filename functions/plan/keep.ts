/**
 * What each rule keeps of what it matched. `newest` is counted per region and group over the rule's
 * whole matched set, protected items included: an in-use image is one of the N newest, and discounting it would make
 * the rule delete one more than its author asked (the keep-N-counts-the-wrong-population surprise).
 */
import type { InventoryItem } from '../inventory/types.js';
import type { GroupBy, Rule } from '../policy/types.js';
import type { CandidateReason, KeepReason } from './types.js';
import { ruleMatcher } from './match.js';
import { compareText } from './order.js';
import { parseIsoTime, type CreationTime } from './time.js';

/** One matching rule's finding about one item. */
export interface RuleVerdict {
  readonly rule: Rule;
  /** Why this rule keeps the item; empty when it does not. */
  readonly kept: readonly KeepReason[];
  /** Which of the rule's keep clauses did not keep it (`no-keep` when it has none). */
  readonly missed: readonly CandidateReason[];
  /** 1-based place among the newest of its group; null when the rule has no `newest` or the age is unknown. */
  readonly rank: number | null;
  readonly group: string | null;
  /** Last activity, when the rule asked for it (activeWithin). */
  readonly activityMs: number | null;
}

export interface Evaluated {
  readonly item: InventoryItem;
  readonly created: CreationTime;
}

/** For each item (same index), the verdicts of the rules that match it, in policy order. */
export function evaluateRules(entries: readonly Evaluated[], rules: readonly Rule[], nowMs: number): ReadonlyArray<readonly RuleVerdict[]> {
  // Most items of a large fleet match one rule or none: arrays are made only for those that match.
  const verdicts = new Array<RuleVerdict[] | undefined>(entries.length);
  const times = Float64Array.from(entries, (entry) => entry.created.trustedMs ?? Number.NaN);
  for (const rule of rules) {
    const matches = ruleMatcher(rule);
    const matched: number[] = [];
    entries.forEach((entry, index) => {
      if (matches(entry.item)) matched.push(index);
    });
    const ranks = rule.keep.newest === undefined ? null : rankNewest(entries, times, matched, rule.keep.groupBy);
    for (const index of matched) {
      const place = ranks === null ? 0 : (ranks.places[index] ?? 0);
      const group = place === 0 ? null : (ranks?.groups[index] ?? null);
      const verdict = judge(rule, entries[index] as Evaluated, place === 0 ? null : place, group, nowMs);
      const list = verdicts[index];
      if (list === undefined) verdicts[index] = [verdict];
      else list.push(verdict);
    }
  }
  return Array.from(verdicts, (list) => list ?? NO_VERDICTS);
}

const NO_VERDICTS: readonly RuleVerdict[] = Object.freeze([]);

/** Per item index: its 1-based place (0 = not ranked) and its group's label. Arrays, not maps: 100,000 items. */
interface Ranks {
  readonly places: Int32Array;
  readonly groups: Array<string | undefined>;
}

/**
 * Places within each group, newest first (`times`: trusted creation times by item index, NaN when
 * unknown), ties by ID. Items of unknown age are not ranked: they take no place and are given none (they are protected).
 */
function rankNewest(entries: readonly Evaluated[], times: Float64Array, matched: readonly number[], groupBy: GroupBy): Ranks {
  const groupOf = grouper(groupBy);
  const groups = new Map<string, { label: string; members: number[] }>();
  for (const index of matched) {
    if (Number.isNaN(times[index] ?? Number.NaN)) continue;
    const item = (entries[index] as Evaluated).item;
    const value = groupOf(item);
    const key = groupKey(item, value);
    let group = groups.get(key);
    if (group === undefined) {
      group = { label: value.label, members: [] };
      groups.set(key, group);
    }
    group.members.push(index);
  }
  const ranks: Ranks = { places: new Int32Array(entries.length), groups: new Array<string | undefined>(entries.length) };
  for (const { label, members } of groups.values()) {
    members.sort((a, b) => (times[b] as number) - (times[a] as number) || tieBreak(entries[a] as Evaluated, entries[b] as Evaluated));
    members.forEach((index, position) => {
      ranks.places[index] = position + 1;
      ranks.groups[index] = label;
    });
  }
  return ranks;
}

/** Equal creation times: by ID, then region, so that the order is total. */
function tieBreak(a: Evaluated, b: Evaluated): number {
  return compareText(a.item.id, b.item.id) || compareText(a.item.region, b.item.region);
}

/**
 * The identity of an item's keep.newest group. A real value and the "no value" placeholder must
 * not share a group, whatever the value spells. Groups never span regions: an image is usable
 * only in its own region, so "keep the 3 newest" counted across regions could leave a region with
 * none of its own.
 */
function groupKey(item: InventoryItem, value: { present: boolean; label: string }): string {
  return `${item.region}\u0000${value.present ? `=${value.label}` : '!'}`;
}

/** A function giving each item's keep.newest group under `groupBy` (the re-check finds an item's peers with it). */
export function newestGroupOf(groupBy: GroupBy): (item: InventoryItem) => string {
  const groupOf = grouper(groupBy);
  return (item) => groupKey(item, groupOf(item));
}

/** The group key shown for groupBy none: there is one group, all the rule matched. */
export const WHOLE_MATCH_GROUP = '(all)';

function grouper(groupBy: GroupBy): (item: InventoryItem) => { present: boolean; label: string } {
  switch (groupBy.by) {
    case 'none': {
      const whole = { present: true, label: WHOLE_MATCH_GROUP };
      return () => whole;
    }
    case 'family':
      return (item) => (item.family === null ? { present: false, label: '(no family)' } : { present: true, label: item.family });
    case 'osTag':
      return (item) => (item.osTag === null ? { present: false, label: '(no osTag)' } : { present: true, label: item.osTag });
    case 'name': {
      // A g or y flag would make exec() remember lastIndex between items: results would depend on order.
      const pattern = new RegExp(groupBy.pattern.source, groupBy.pattern.flags.replace(/[gy]/g, ''));
      return (item) => {
        const captured = pattern.exec(item.name)?.[1];
        return captured === undefined ? { present: false, label: '(no match)' } : { present: true, label: captured };
      };
    }
  }
}

function judge(rule: Rule, entry: Evaluated, rank: number | null, group: string | null, nowMs: number): RuleVerdict {
  const { newest, youngerThanMs, activeWithinMs } = rule.keep;
  let kept = 0;
  let missed = 0;
  if (newest !== undefined) {
    if (rank !== null && rank <= newest) kept |= KEPT_NEWEST;
    else missed |= MISSED_NEWEST;
  }
  if (youngerThanMs !== undefined) {
    const created = entry.created.trustedMs;
    if (created !== null && created > nowMs - youngerThanMs) kept |= KEPT_YOUNG;
    else missed |= MISSED_YOUNG;
  }
  let activityMs: number | null = null;
  if (activeWithinMs !== undefined) {
    activityMs = lastActivity(entry);
    if (activityMs !== null && activityMs > nowMs - activeWithinMs) kept |= KEPT_ACTIVE;
    else missed |= MISSED_ACTIVE;
  }
  if (newest === undefined && youngerThanMs === undefined && activeWithinMs === undefined) missed |= MISSED_ALL;
  return { rule, kept: KEPT_LISTS[kept] ?? [], missed: MISSED_LISTS[missed] ?? [], rank, group, activityMs };
}

// Reason lists as bit sets, each possible list made once and frozen: two fresh arrays per verdict
// would be most of the garbage of a 100,000-item plan.
const KEPT_NEWEST = 1;
const KEPT_YOUNG = 2;
const KEPT_ACTIVE = 4;
const KEPT_LISTS = reasonLists<KeepReason>(['newest', 'younger-than', 'active-within']);
const MISSED_NEWEST = 1;
const MISSED_YOUNG = 2;
const MISSED_ACTIVE = 4;
const MISSED_ALL = 8;
const MISSED_LISTS = reasonLists<CandidateReason>(['not-newest', 'not-young', 'not-active', 'no-keep']);

function reasonLists<R>(bits: readonly R[]): ReadonlyArray<readonly R[]> {
  return Array.from({ length: 1 << bits.length }, (_, set) => Object.freeze(bits.filter((_, bit) => (set & (1 << bit)) !== 0)));
}

/**
 * The newest of every activity time the item carries. The inventory already computes
 * lastActivityAt, but taking the maximum with the executions too can only find more recent
 * activity, so a stale or missing summary never makes a busy pipeline look idle.
 */
function lastActivity(entry: Evaluated): number | null {
  const { item } = entry;
  const times = [parseIsoTime(item.lastActivityAt), entry.created.readMs];
  for (const execution of item.executions ?? []) {
    times.push(parseIsoTime(execution.createdAt), parseIsoTime(execution.modifiedAt));
  }
  let newest: number | null = null;
  for (const t of times) if (t !== null && (newest === null || t > newest)) newest = t;
  return newest;
}
