/**
 * The re-check before each deletion: read the item again (one describe call), and delete it only
 * if it is still what the decision was made on and still a candidate under the same policy now.
 * Between the listing (or the reviewed plan) and the deletion, an image may have gone into use,
 * been tagged keep, been shared, changed status, or a newer image may have gone and made it one of
 * the newest again: then it is refused (code `changed`, the message says what changed). Gone is
 * `already-gone`, with no delete call. A re-read that fails deletes nothing.
 *
 * "Still a candidate" is not re-implemented here: the pure planner runs again over the item's own
 * kind-and-region slice with the fresh record swapped in and the caps switched off (they were
 * applied when the deletions were chosen), and its decision must be `delete`. The slice is cut to
 * the items some rule matching the fresh record also matches: the only ones its decision can
 * depend on (keep.newest ranks within a rule's matched set, per region), so the answer is the
 * planner's over the whole slice. And when the fresh record's facts are the listed record's (the
 * usual case), the decision is the one the slice's own plan gave the listed record: the run's own
 * decision when the re-check runs over the listing that made the plan (`decided`), else a plan of
 * the slice made once per slice per sweep, so a sweep of many deletions in a 25,000-item slice pays
 * for one planner run, not one per deletion (test/integration/recheck-decision.test.ts measures both).
 */
import type { CloudApi } from '../cloud/api.js';
import { isCloudError } from '../cloud/errors.js';
import { MODULES } from '../inventory/index.js';
import { ListingError } from '../inventory/paging.js';
import { itemKey, type InventoryItem, type ResourceKind } from '../inventory/types.js';
import { diffFacts, factsOf, type ReviewedFacts } from '../plan-file/facts.js';
import { newestGroupOf } from '../plan/keep.js';
import { ruleMatcher, type ItemPredicate } from '../plan/match.js';
import { plan as makePlan } from '../plan/planner.js';
import type { PlanItem } from '../plan/types.js';
import type { Policy, Rule } from '../policy/types.js';
import type { ItemOutcome } from './types.js';

export type RecheckVerdict =
  | { readonly verdict: 'ok'; readonly fresh: InventoryItem; readonly steps: readonly string[] }
  | { readonly verdict: 'gone'; readonly steps: readonly string[] }
  | { readonly verdict: 'changed'; readonly changes: readonly string[]; readonly fresh: InventoryItem; readonly steps: readonly string[] }
  | {
      readonly verdict: 'failed';
      readonly code: string;
      readonly httpStatus: number | null;
      readonly requestId: string | null;
      readonly message: string;
      readonly steps: readonly string[];
    };

/** Re-checks one item the plan decided to delete; `listed` is its inventory record. Never throws. */
export type Recheck = (p: PlanItem, listed: InventoryItem) => Promise<RecheckVerdict>;

export interface RecheckOptions {
  readonly api: CloudApi;
  readonly policy: Policy;
  /** The clock the fresh decision is made against. */
  readonly now: Date;
  /** The inventory the decisions were made in (the run's listing; apply's fresh listing). */
  readonly items: readonly InventoryItem[];
  /**
   * What the decision rested on: the reviewed plan's facts for apply. Absent: the listed record
   * itself (the scheduled run, which decided on its own listing moments ago).
   */
  readonly baseline?: (p: PlanItem, listed: InventoryItem) => ReviewedFacts;
  /**
   * The run's own decision for a listed record, when the re-check runs over the listing that made
   * the plan (the scheduled run). Caps only ever turn a `delete` into `defer` or `abort`, so for a
   * record the plan deletes it is the decision the slice's caps-off plan would give
   * (test/unit/plan-properties.test.ts); taking it spares planning every slice a second time
   * (about 0.2 s of CPU per 25,000-item slice) and holding that plan through the sweep. Apply
   * passes its fresh caps-off plan of the same listing. Absent: the slice's plan is made.
   */
  readonly decided?: (listed: InventoryItem) => PlanItem | undefined;
}

/** The policy with maxDeletionsPerRun and maxDeletionPercent neutral: the caps chose the deletions already. */
export function withoutCaps(policy: Policy): Policy {
  return { ...policy, limits: { ...policy.limits, maxDeletionsPerRun: Number.MAX_SAFE_INTEGER, maxDeletionPercent: 100 } };
}

/** Items by kind and region, cut once per sweep. */
export class Slices {
  private readonly byGroup = new Map<string, InventoryItem[]>();

  constructor(items: readonly InventoryItem[]) {
    for (const item of items) {
      const key = `${item.kind}\u0000${item.region}`;
      const list = this.byGroup.get(key);
      if (list === undefined) this.byGroup.set(key, [item]);
      else list.push(item);
    }
  }

  of(kind: ResourceKind, region: string): readonly InventoryItem[] {
    return this.byGroup.get(`${kind}\u0000${region}`) ?? [];
  }
}

/**
 * The planner's decision for `fresh` in its slice, the slice's own record of it replaced, caps off.
 * `policy` must already be without caps (withoutCaps); `matchers` are its rules' matchers.
 */
export function decideAgain(policy: Policy, matchers: ReadonlyMap<Rule, ItemPredicate>, now: Date, slice: readonly InventoryItem[], fresh: InventoryItem): PlanItem {
  const relevant: ItemPredicate[] = [];
  for (const rule of policy.rules) {
    const matches = matchers.get(rule) ?? ruleMatcher(rule);
    if (matches(fresh)) relevant.push(matches);
  }
  const items: InventoryItem[] = [fresh];
  if (relevant.length > 0) {
    for (const other of slice) {
      if (other.id === fresh.id || other.kind !== fresh.kind || other.region !== fresh.region) continue;
      if (relevant.some((m) => m(other))) items.push(other);
    }
  }
  const decided = makePlan({ items, listed: [{ kind: fresh.kind, region: fresh.region, count: items.length }], failures: [] }, policy, now);
  const mine = decided.items.find((i) => i.id === fresh.id);
  if (mine === undefined) throw new Error(`recheck: the planner returned no decision for ${itemKey(fresh)}`);
  return mine;
}

export function makeRecheck(opts: RecheckOptions): Recheck {
  const policy = withoutCaps(opts.policy);
  const matchers = new Map(policy.rules.map((r) => [r, ruleMatcher(r)]));
  const slices = new Slices(opts.items);
  const baseline = opts.baseline ?? ((_p: PlanItem, listed: InventoryItem) => factsOf(listed));
  // Per slice, made on first use: the caps-off plan of the slice as listed, by item.
  const slicePlans = new Map<string, Map<InventoryItem, PlanItem>>();
  const slicePlan = (kind: ResourceKind, region: string): Map<InventoryItem, PlanItem> => {
    const key = `${kind}\u0000${region}`;
    let byItem = slicePlans.get(key);
    if (byItem === undefined) {
      const items = slices.of(kind, region);
      const decided = makePlan({ items, listed: [{ kind, region, count: items.length }], failures: [] }, policy, opts.now);
      const byId = new Map(decided.items.map((p) => [p.id, p]));
      byItem = new Map();
      for (const item of items) {
        const p = byId.get(item.id);
        if (p !== undefined) byItem.set(item, p);
      }
      slicePlans.set(key, byItem);
    }
    return byItem;
  };
  const decide = (listed: InventoryItem, fresh: InventoryItem): PlanItem => {
    // Same facts as the listed record: the same decision, from the slice's plan.
    if (diffFacts(factsOf(listed), factsOf(fresh)).length === 0) {
      const planned = opts.decided?.(listed);
      if (planned?.decision === 'delete') return planned;
      const known = slicePlan(fresh.kind, fresh.region).get(listed);
      if (known !== undefined) return known;
    }
    return decideAgain(policy, matchers, opts.now, slices.of(fresh.kind, fresh.region), fresh);
  };
  const newerPeers = peerFinder(policy, matchers, slices);
  return async (p, listed) => {
    let fresh: InventoryItem | null;
    const peers = newerPeers(listed);
    let freshPeers: ReadonlyMap<string, InventoryItem | null> = new Map();
    try {
      ({ fresh, freshPeers } = await reread(opts.api, listed, peers));
    } catch (e) {
      const code = isCloudError(e) || e instanceof ListingError ? e.code : 'UnexpectedError';
      return {
        verdict: 'failed',
        code,
        httpStatus: isCloudError(e) ? e.httpStatus : null,
        requestId: isCloudError(e) ? e.requestId : null,
        message: `re-reading it before deletion failed, so it was not deleted: ${e instanceof Error ? e.message : String(e)}`,
        steps: [`recheck:${code}`],
      };
    }
    if (fresh === null) return { verdict: 'gone', steps: ['recheck:gone'] };
    const changes = diffFacts(baseline(p, listed), factsOf(fresh));
    // A newer item of its keep.newest group gone or changed (another run, a person) can make this
    // one among the newest again: then decide over the slice as it is now, not as it was listed.
    const moved = peers.filter((peer) => {
      const now = freshPeers.get(peer.id);
      return now === null || now === undefined || diffFacts(factsOf(peer), factsOf(now)).length > 0;
    });
    let again: PlanItem;
    try {
      again = moved.length === 0 ? decide(listed, fresh) : decideAgain(policy, matchers, opts.now, sliceAsNow(slices.of(fresh.kind, fresh.region), freshPeers), fresh);
    } catch (e) {
      return { verdict: 'failed', code: 'RecheckError', httpStatus: null, requestId: null, message: `deciding again failed, so it was not deleted: ${e instanceof Error ? e.message : String(e)}`, steps: ['recheck:error'] };
    }
    if (again.decision !== 'delete') changes.push(noLongerCandidate(again));
    if (changes.length > 0) return { verdict: 'changed', changes, fresh, steps: ['recheck:changed'] };
    return { verdict: 'ok', fresh, steps: ['recheck:ok'] };
  };
}

/** What a refusal says when the policy no longer makes the item a candidate. */
export function noLongerCandidate(now: PlanItem): string {
  const why = now.reasons.length > 0 ? ` (${now.reasons.join(',')})` : '';
  return `no longer a candidate: the policy now says ${now.decision}${why}: ${now.detail}`;
}

/**
 * For an item about to be deleted, the items that rank ahead of it in a keep.newest group of a
 * rule that matches it: the `newest` newest of that group, newer than the item. If one of them is
 * gone by the time of the deletion, the item may have become one of the newest.
 *
 * Each rule's groups of a slice are cut and sorted once, on first use: a sweep of many deletions in
 * a 25,000-item slice must not match, group and sort the whole slice again for every deletion.
 */
function peerFinder(policy: Policy, matchers: ReadonlyMap<Rule, ItemPredicate>, slices: Slices): (item: InventoryItem) => InventoryItem[] {
  const groupers = new Map(policy.rules.map((r) => [r, newestGroupOf(r.keep.groupBy)]));
  // kind\0region → rule → group → the group's dated items, newest first (ties by ID).
  const sorted = new Map<string, Map<Rule, Map<string, InventoryItem[]>>>();
  const groupsOf = (item: InventoryItem, rule: Rule, matches: ItemPredicate, groupOf: (i: InventoryItem) => string): Map<string, InventoryItem[]> => {
    const sliceKey = `${item.kind}\u0000${item.region}`;
    const byRule = sorted.get(sliceKey) ?? new Map<Rule, Map<string, InventoryItem[]>>();
    sorted.set(sliceKey, byRule);
    let groups = byRule.get(rule);
    if (groups === undefined) {
      groups = new Map();
      for (const o of slices.of(item.kind, item.region)) {
        if (o.createdAt === null || !matches(o)) continue;
        const key = groupOf(o);
        const members = groups.get(key);
        if (members === undefined) groups.set(key, [o]);
        else members.push(o);
      }
      for (const members of groups.values()) members.sort((a, b) => (a.createdAt! < b.createdAt! ? 1 : a.createdAt! > b.createdAt! ? -1 : a.id.localeCompare(b.id)));
      byRule.set(rule, groups);
    }
    return groups;
  };
  return (item) => {
    if (item.createdAt === null) return [];
    const peers = new Map<string, InventoryItem>();
    for (const rule of policy.rules) {
      const newest = rule.keep.newest;
      const matches = matchers.get(rule);
      const groupOf = groupers.get(rule);
      if (newest === undefined || matches === undefined || groupOf === undefined || !matches(item)) continue;
      let taken = 0;
      for (const o of groupsOf(item, rule, matches, groupOf).get(groupOf(item)) ?? []) {
        if (taken >= newest || o.createdAt! < item.createdAt) break;
        if (o.id === item.id) continue;
        peers.set(o.id, o);
        taken++;
      }
    }
    return [...peers.values()];
  };
}

/** The item and its peers as they are now: one batched call where the kind can (DescribeImages takes 100 IDs). */
async function reread(
  api: CloudApi,
  listed: InventoryItem,
  peers: readonly InventoryItem[],
): Promise<{ fresh: InventoryItem | null; freshPeers: ReadonlyMap<string, InventoryItem | null> }> {
  const module = MODULES[listed.kind];
  if (peers.length > 0 && module.describeMany !== undefined) {
    const all = await module.describeMany(api, listed.region, [listed, ...peers]);
    return { fresh: all.get(listed.id) ?? null, freshPeers: all };
  }
  const fresh = await module.describe(api, listed);
  const freshPeers = new Map<string, InventoryItem | null>();
  for (const peer of peers) freshPeers.set(peer.id, await module.describe(api, peer));
  return { fresh, freshPeers };
}

/** The slice with the re-read peers as they are now: gone ones left out, changed ones swapped in. */
function sliceAsNow(slice: readonly InventoryItem[], freshPeers: ReadonlyMap<string, InventoryItem | null>): InventoryItem[] {
  const out: InventoryItem[] = [];
  for (const item of slice) {
    if (!freshPeers.has(item.id)) out.push(item);
    else {
      const now = freshPeers.get(item.id);
      if (now !== null && now !== undefined) out.push(now);
    }
  }
  return out;
}

/** The outcome of an item the re-check stopped; null when it may be deleted. */
export function recheckOutcome(v: RecheckVerdict): Pick<ItemOutcome, 'outcome' | 'code' | 'httpStatus' | 'requestId' | 'message' | 'steps'> | null {
  switch (v.verdict) {
    case 'ok':
      return null;
    case 'gone':
      return { outcome: 'already-gone', code: 'gone', httpStatus: null, requestId: null, message: 'the re-read before deletion found it no longer exists; nothing was deleted', steps: v.steps };
    case 'changed':
      return { outcome: 'refused', code: 'changed', httpStatus: null, requestId: null, message: `changed since it was decided on: ${v.changes.join('; ')}`, steps: v.steps };
    case 'failed':
      return { outcome: 'failed', code: v.code, httpStatus: v.httpStatus, requestId: v.requestId, message: v.message, steps: v.steps };
  }
}
