/**
 * Properties of every plan, for random fleets and random compiled policies. The oracle below reads
 * the spec again, independently of the planner's modules: protections, matching and keep are
 * recomputed here the slow, obvious way.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TAGGABLE_KINDS, itemKey, type Inventory, type InventoryItem } from '../../functions/inventory/types.js';
import { plan } from '../../functions/plan/planner.js';
import type { Decision, Plan, PlanItem } from '../../functions/plan/types.js';
import { BUILTIN_KEEP_TAG, MARK_TAG_KEY, type Match, type Policy, type Rule } from '../../functions/policy/types.js';
import { withoutCaps } from '../../functions/sweep/recheck.js';
import { NOW, arbFleetAndPolicy } from '../support/builders.js';

const RUNS = 1000;
const nowMs = NOW.getTime();
const CANDIDATE: ReadonlySet<Decision> = new Set(['delete', 'mark', 'wait', 'defer', 'abort']);

// ---------------------------------------------------------------- the oracle

function trustedAge(it: InventoryItem): number | null {
  if (it.createdAt === null) return null;
  const ms = Date.parse(it.createdAt);
  return Number.isNaN(ms) || ms > nowMs + 5 * 60_000 ? null : ms;
}

function isProtected(it: InventoryItem, policy: Policy): boolean {
  const tagged = policy.protect.tags.some((c) => Object.hasOwn(it.tags, c.key) && c.value.test(it.tags[c.key] as string));
  const keepTag = it.tags[BUILTIN_KEEP_TAG.key]?.toLowerCase() === 'true';
  return (
    tagged ||
    keepTag ||
    policy.protect.ids.includes(it.id) ||
    it.owned.value !== true ||
    it.inUse.value !== false ||
    it.shared.value !== false ||
    it.isPublic.value !== false ||
    it.atRest.value !== true ||
    trustedAge(it) === null
  );
}

function matchHolds(m: Match, it: InventoryItem): boolean {
  const anyOf = (globs: Match['name'], v: string | null) => globs === undefined || (v !== null && globs.some((g) => g.test(v)));
  const caseless = (list: readonly string[] | undefined, v: string | null) =>
    list === undefined || (v !== null && list.some((s) => s.toLowerCase() === v.toLowerCase()));
  return (
    anyOf(m.name, it.name) &&
    (m.tags ?? []).every((c) => Object.hasOwn(it.tags, c.key) && c.value.test(it.tags[c.key] as string)) &&
    caseless(m.status, it.status) &&
    anyOf(m.osTag, it.osTag) &&
    anyOf(m.family, it.family) &&
    caseless(m.productType, it.productType)
  );
}

const matching = (it: InventoryItem, policy: Policy) => policy.rules.filter((r) => r.resource === it.kind && matchHolds(r.match, it));

/** Groups never span regions: an image is usable only in its own region. */
function groupOf(rule: Rule, it: InventoryItem): string {
  return `${it.region}|${groupWithinRegion(rule, it)}`;
}

function groupWithinRegion(rule: Rule, it: InventoryItem): string {
  const g = rule.keep.groupBy;
  if (g.by === 'none') return 'all';
  if (g.by === 'family') return it.family === null ? '\0' : `=${it.family}`;
  if (g.by === 'osTag') return it.osTag === null ? '\0' : `=${it.osTag}`;
  const captured = new RegExp(g.source).exec(it.name)?.[1];
  return captured === undefined ? '\0' : `=${captured}`;
}

function keptBy(rule: Rule, it: InventoryItem, inventory: Inventory): boolean {
  const { newest, youngerThanMs, activeWithinMs } = rule.keep;
  const mine = trustedAge(it);
  if (newest !== undefined && mine !== null) {
    const ahead = inventory.items.filter((other) => {
      const t = trustedAge(other);
      if (other === it || t === null || other.kind !== rule.resource || !matchHolds(rule.match, other)) return false;
      return groupOf(rule, other) === groupOf(rule, it) && (t > mine || (t === mine && other.id < it.id));
    }).length;
    if (ahead < newest) return true;
  }
  if (youngerThanMs !== undefined && mine !== null && mine > nowMs - youngerThanMs) return true;
  if (activeWithinMs !== undefined) {
    const times = [it.lastActivityAt, it.createdAt].map((t) => (t ? Date.parse(t) : NaN)).filter((t) => !Number.isNaN(t));
    if (times.some((t) => t > nowMs - activeWithinMs)) return true;
  }
  return false;
}

const markOf = (it: InventoryItem) => (TAGGABLE_KINDS.includes(it.kind) ? it.tags[MARK_TAG_KEY] : undefined);
const groupKey = (p: { kind: string; region: string }) => `${p.kind}/${p.region}`;
const KIND_ORDER = ['ehpc-image', 'ecs-image', 'wuying-image', 'image-pipeline'];
const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const deletionOrder = (a: PlanItem, b: PlanItem) =>
  Date.parse(a.createdAt ?? '') - Date.parse(b.createdAt ?? '') ||
  KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
  text(a.region, b.region) ||
  text(a.id, b.id);

// ---------------------------------------------------------------- the properties

function checkPlan(inventory: Inventory, policy: Policy, result: Plan): void {
  const byKey = new Map(inventory.items.map((it) => [itemKey(it), it]));

  // (a) every item exactly once, nothing else; counts agree
  expect(result.items.map(itemKey).sort()).toEqual([...byKey.keys()].sort());
  const counted = Object.values(result.counts).reduce((a, b) => a + b, 0);
  expect(counted).toBe(inventory.items.length);

  for (const p of result.items) {
    const it = byKey.get(itemKey(p)) as InventoryItem;
    const rules = matching(it, policy);
    const kept = rules.some((r) => keptBy(r, it, inventory));
    const prot = isProtected(it, policy);
    const candidate = !prot && rules.length > 0 && !kept;

    // (b) protected items are never acted on
    if (prot) expect(['protect', 'unmark']).toContain(p.decision);
    // (c) keep wins; and exactly the unprotected, matched, unkept items are candidates
    expect(CANDIDATE.has(p.decision)).toBe(candidate);
    // An unmark removes a mark we wrote; never from something the account does not (knowably) own.
    if (p.decision === 'unmark') expect(markOf(it) !== undefined && it.owned.value === true).toBe(true);
    if (p.decision === 'keep') expect(markOf(it)).toBeUndefined();

    // (g) a delete under a rule with grace only once the mark is grace old
    if (p.decision === 'delete' || p.decision === 'mark' || p.decision === 'wait') {
      const grace = Math.max(0, ...rules.map((r) => r.graceMs ?? 0));
      const mark = markOf(it);
      const markMs = mark === undefined ? NaN : Date.parse(mark);
      if (p.decision === 'delete' && grace > 0) expect(nowMs - markMs).toBeGreaterThanOrEqual(grace);
      if (p.decision !== 'delete') expect(grace).toBeGreaterThan(0);
      if (p.decision === 'wait') expect(nowMs - markMs < grace).toBe(true);
    }
  }

  // (d) the per-run cap
  expect(result.counts.delete).toBeLessThanOrEqual(policy.limits.maxDeletionsPerRun);

  // (e) the percent cap: aborted exactly where candidates exceed the share, and nothing acted on there
  const listed = new Map<string, number>();
  const candidates = new Map<string, number>();
  for (const p of result.items) {
    listed.set(groupKey(p), (listed.get(groupKey(p)) ?? 0) + 1);
    if (CANDIDATE.has(p.decision)) candidates.set(groupKey(p), (candidates.get(groupKey(p)) ?? 0) + 1);
  }
  const aborted = new Set(result.aborted.map(groupKey));
  for (const [key, count] of listed) {
    const over = (candidates.get(key) ?? 0) * 100 > policy.limits.maxDeletionPercent * count;
    expect(aborted.has(key)).toBe(over);
  }
  const failed = new Set(inventory.failures.map(groupKey));
  for (const p of result.items) {
    if (aborted.has(groupKey(p)) || failed.has(groupKey(p))) expect(['delete', 'mark', 'wait', 'defer']).not.toContain(p.decision);
  }

  // (h) deferred deletions are never older than the ones made
  const deletes = result.items.filter((p) => p.decision === 'delete');
  const defers = result.items.filter((p) => p.decision === 'defer');
  for (const d of defers) for (const x of deletes) expect(deletionOrder(x, d)).toBeLessThan(0);
  if (defers.length > 0) expect(deletes.length).toBe(policy.limits.maxDeletionsPerRun);
}

describe('plan properties', () => {
  it('(a)-(e), (g), (h) hold for every fleet and policy', () => {
    fc.assert(
      fc.property(arbFleetAndPolicy(), ({ inventory, policy }) => {
        checkPlan(inventory, policy, plan(inventory, policy, NOW));
      }),
      { numRuns: RUNS },
    );
  });

  it('(f) is deterministic, whatever order the inventory arrives in', () => {
    const withShuffle = arbFleetAndPolicy().chain(({ inventory, policy }) =>
      fc
        .shuffledSubarray([...inventory.items], { minLength: inventory.items.length, maxLength: inventory.items.length })
        .map((shuffled) => ({ inventory, policy, shuffled: { ...inventory, items: shuffled } })),
    );
    fc.assert(
      fc.property(withShuffle, ({ inventory, policy, shuffled }) => {
        const first = plan(inventory, policy, NOW);
        expect(plan(inventory, policy, NOW)).toEqual(first);
        expect(plan(shuffled, policy, NOW)).toEqual(first);
      }),
      { numRuns: RUNS },
    );
  });

  it('a deletion under the caps is the decision the caps-off plan of its own kind and region gives', () => {
    // The scheduled run's re-check relies on it (functions/sweep/recheck.ts, `decided`): it takes
    // the run's own decision instead of planning every slice a second time.
    let deletions = 0;
    fc.assert(
      fc.property(arbFleetAndPolicy(), ({ inventory, policy }) => {
        const capped = plan(inventory, policy, NOW);
        const uncapped = withoutCaps(policy);
        for (const p of capped.items.filter((i) => i.decision === 'delete')) {
          deletions++;
          const slice = inventory.items.filter((i) => i.kind === p.kind && i.region === p.region);
          const alone = plan({ items: slice, listed: [{ kind: p.kind, region: p.region, count: slice.length }], failures: [] }, uncapped, NOW);
          expect(alone.items.find((i) => i.id === p.id)).toEqual(p);
        }
      }),
      { numRuns: RUNS },
    );
    expect(deletions).toBeGreaterThan(RUNS / 10); // the property was exercised
  });

  it('the generators reach every decision', () => {
    const seen = new Set<Decision>();
    fc.assert(
      fc.property(arbFleetAndPolicy(), ({ inventory, policy }) => {
        for (const p of plan(inventory, policy, NOW).items) seen.add(p.decision);
      }),
      { numRuns: RUNS },
    );
    expect([...seen].sort()).toEqual(['abort', 'defer', 'delete', 'keep', 'mark', 'protect', 'unmark', 'wait']);
  });
});
