/**
 * The re-check's "still a candidate?" is the planner's own answer: decideAgain (the planner over
 * the item's kind-and-region slice, cut to what the fresh record's rules match, caps off) gives
 * exactly the decision the planner gives over the whole inventory with that record swapped in.
 * And what it costs on a 25,000-item slice.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Inventory, InventoryItem } from '../../functions/inventory/types.js';
import { newestGroupOf } from '../../functions/plan/keep.js';
import { ruleMatcher } from '../../functions/plan/match.js';
import { plan } from '../../functions/plan/planner.js';
import type { CloudApi } from '../../functions/cloud/api.js';
import { ecsImageFacts } from '../../functions/inventory/ecs-describe.js';
import { decideAgain, makeRecheck, Slices, withoutCaps } from '../../functions/sweep/recheck.js';
import { arbFleetAndPolicy, arbItemBody, daysAgo, fleet, item, NOW, policy, rule } from '../support/builders.js';

const noFailures = (inv: Inventory): Inventory => fleet(inv.items);
const comparable = (p: { decision: string; rule: string | null; reasons: readonly string[]; detail: string; group: string | null }) => ({
  decision: p.decision,
  rule: p.rule,
  reasons: [...p.reasons],
  detail: p.detail,
  group: p.group,
});

describe('decideAgain', () => {
  it('agrees with the planner over the whole inventory (caps off), for every item', () => {
    fc.assert(
      fc.property(arbFleetAndPolicy(NOW, 40), ({ inventory, policy: pol }) => {
        const inv = noFailures(inventory);
        const capsOff = withoutCaps(pol);
        const whole = plan(inv, capsOff, NOW);
        const matchers = new Map(capsOff.rules.map((r) => [r, ruleMatcher(r)]));
        const slices = new Slices(inv.items);
        for (const p of whole.items) {
          const it = inv.items.find((i) => i.id === p.id) as InventoryItem;
          expect(comparable(decideAgain(capsOff, matchers, NOW, slices.of(it.kind, it.region), it))).toEqual(comparable(p));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('with a changed record swapped in, agrees with the planner over the inventory holding the change', () => {
    fc.assert(
      fc.property(arbFleetAndPolicy(NOW, 30), arbItemBody(NOW), fc.nat(), ({ inventory, policy: pol }, body, pick) => {
        fc.pre(inventory.items.length > 0);
        const inv = noFailures(inventory);
        const old = inv.items[pick % inv.items.length] as InventoryItem;
        const changed: InventoryItem = { ...body, id: old.id, kind: old.kind, region: old.region } as InventoryItem;
        const capsOff = withoutCaps(pol);
        const expected = plan(fleet(inv.items.map((i) => (i === old ? changed : i))), capsOff, NOW).items.find((p) => p.id === old.id);
        const matchers = new Map(capsOff.rules.map((r) => [r, ruleMatcher(r)]));
        // The slice still holds the old record: decideAgain must swap it out.
        const got = decideAgain(capsOff, matchers, NOW, new Slices(inv.items).of(old.kind, old.region), changed);
        expect(comparable(got)).toEqual(comparable(expected!));
      }),
      { numRuns: 200 },
    );
  });

  it('switches the caps off: a delete the caps would defer or abort stays a delete', () => {
    const items = [item({ name: 'a', createdAt: daysAgo(50) }), item({ name: 'b', createdAt: daysAgo(60) }), item({ name: 'c', createdAt: daysAgo(70) })];
    const capped = policy({ rules: [rule({ keep: { newest: 0 } })], limits: { maxDeletionsPerRun: 0, maxDeletionPercent: 10 } });
    expect(plan(fleet(items), capped, NOW).items.map((p) => p.decision)).toEqual(['abort', 'abort', 'abort']);
    const capsOff = withoutCaps(capped);
    const matchers = new Map(capsOff.rules.map((r) => [r, ruleMatcher(r)]));
    for (const i of items) expect(decideAgain(capsOff, matchers, NOW, items, i).decision).toBe('delete');
  });
});

describe('cost on a large slice', () => {
  it('stays small per deletion on a 25,000-item kind-and-region slice', () => {
    const N = 25_000;
    const families = ['app', 'web', 'hpc', 'db', 'ci'];
    const items = Array.from({ length: N }, (_, i) =>
      item({ name: `build-${i}`, id: `m-${String(i).padStart(6, '0')}`, createdAt: daysAgo(1 + (i % 400)), family: families[i % families.length] as string }),
    );
    // One rule that matches every item: the worst case, nothing can be cut from the slice.
    const pol = withoutCaps(policy({ rules: [rule({ name: 'builds', match: { name: 'build-*' }, keep: { newest: 3, groupBy: 'family', youngerThan: '30d' } })] }));
    const matchers = new Map(pol.rules.map((r) => [r, ruleMatcher(r)]));
    const slices = new Slices(items);
    const whole = plan(fleet(items), pol, NOW);
    const candidates = whole.items.filter((p) => p.decision === 'delete').slice(0, 20);
    expect(candidates).toHaveLength(20);
    for (const p of candidates) {
      const fresh = items.find((i) => i.id === p.id) as InventoryItem;
      expect(decideAgain(pol, matchers, NOW, slices.of(fresh.kind, fresh.region), fresh).decision).toBe('delete');
    }
  });

  it('a sweep of deletions in one 25,000-item slice pays for one planner run, not one per deletion', async () => {
    const N = 25_000;
    const raws = Array.from({ length: N }, (_, i) => ({
      ImageId: `m-${String(i).padStart(6, '0')}`,
      ImageName: `build-${i}`,
      CreationTime: daysAgo(1 + (i % 400)).replace('.000Z', 'Z'),
      Status: 'Available',
      Progress: '100%',
      Usage: 'none',
      IsSelfShared: 'false',
      IsPublic: false,
      ImageOwnerAlias: 'self',
      ImageFamily: ['app', 'web', 'hpc'][i % 3],
      Size: 20,
      Tags: { Tag: [] },
      DiskDeviceMappings: { DiskDeviceMapping: [{ SnapshotId: `s-${i}`, Size: '20' }] },
    }));
    const byId = new Map(raws.map((r) => [r.ImageId, r]));
    const items: InventoryItem[] = raws.map((raw) => ({ kind: 'ecs-image', region: 'cn-hangzhou', osTag: null, productType: null, ...ecsImageFacts(raw) }));
    // The cloud as a stub: DescribeImages ImageId=<id,id,...> answers the same records (nothing changed).
    const api: CloudApi = {
      async call(_action, _region, params) {
        const found = String(params['ImageId']).split(',').flatMap((id) => (byId.has(id) ? [byId.get(id)] : []));
        return { TotalCount: found.length, Images: { Image: found } };
      },
    };
    const pol = policy({ rules: [rule({ name: 'builds', match: { name: 'build-*' }, keep: { newest: 3, groupBy: 'family', youngerThan: '30d' } })], limits: { maxDeletionsPerRun: 100, maxDeletionPercent: 100 } });
    const deletions = plan(fleet(items), pol, NOW).items.filter((p) => p.decision === 'delete');
    expect(deletions).toHaveLength(100);
    const byKey = new Map(items.map((i) => [i.id, i]));
    const recheck = makeRecheck({ api, policy: pol, now: NOW, items });
    for (const p of deletions) expect((await recheck(p, byKey.get(p.id) as InventoryItem)).verdict).toBe('ok');
  });
});

describe('the run’s own decision (decided)', () => {
  it('is taken for an unchanged record instead of planning its slice again; without it the slice decides', async () => {
    const raw = {
      ImageId: 'm-000001',
      ImageName: 'build-1',
      CreationTime: daysAgo(90).replace('.000Z', 'Z'),
      Status: 'Available',
      Usage: 'none',
      IsSelfShared: 'false',
      IsPublic: false,
      ImageOwnerAlias: 'self',
      Size: 20,
      Tags: { Tag: [] },
    };
    const listed: InventoryItem = { kind: 'ecs-image', region: 'cn-hangzhou', osTag: null, productType: null, ...ecsImageFacts(raw) };
    const api: CloudApi = { call: async () => ({ TotalCount: 1, Images: { Image: [raw] } }) };
    // Over this one-item slice the policy keeps it (the newest of its group)...
    const pol = policy({ rules: [rule({ name: 'builds', match: { name: 'build-*' }, keep: { newest: 1 } })] });
    expect(plan(fleet([listed]), pol, NOW).items[0]?.decision).toBe('keep');
    // ...so a stand-in "run decision" of delete shows which of the two answered.
    const runDecision = { ...plan(fleet([listed]), pol, NOW).items[0]!, decision: 'delete' as const };
    const withDecided = makeRecheck({ api, policy: pol, now: NOW, items: [listed], decided: () => runDecision });
    expect((await withDecided(runDecision, listed)).verdict).toBe('ok');
    const withoutDecided = makeRecheck({ api, policy: pol, now: NOW, items: [listed] });
    expect((await withoutDecided(runDecision, listed)).verdict).toBe('changed');
    // A run decision that is not a deletion is never taken as one.
    const kept = makeRecheck({ api, policy: pol, now: NOW, items: [listed], decided: () => ({ ...runDecision, decision: 'defer' }) });
    expect((await kept(runDecision, listed)).verdict).toBe('changed');
  });
});

describe('the newer peers re-read with each item', () => {
  it('are, for any fleet and policy, the `newest` newest of each of its keep.newest groups that are at least as new as it', async () => {
    await fc.assert(
      fc.asyncProperty(arbFleetAndPolicy(NOW, 25), async ({ inventory, policy: pol }) => {
        const images = inventory.items.filter((i) => i.kind === 'ecs-image' || i.kind === 'ehpc-image');
        fc.pre(images.length > 0);
        const asked: string[][] = [];
        // The cloud as a stub that knows nothing: what matters is which IDs each re-read asks for.
        const api: CloudApi = {
          async call(_action, _region, params) {
            asked.push(String(params['ImageId']).split(','));
            return { TotalCount: 0, Images: { Image: [] } };
          },
        };
        const recheck = makeRecheck({ api, policy: pol, now: NOW, items: inventory.items });
        const caps = withoutCaps(pol);
        for (const it of images) {
          asked.length = 0;
          await recheck(plan(fleet([it]), caps, NOW).items[0]!, it);
          // The oracle: the obvious, slow reading, over the item's kind and region.
          const expected = new Set<string>();
          if (it.createdAt !== null) {
            for (const rule of caps.rules) {
              const matches = ruleMatcher(rule);
              if (rule.keep.newest === undefined || !matches(it)) continue;
              const groupOf = newestGroupOf(rule.keep.groupBy);
              inventory.items
                .filter((o) => o.kind === it.kind && o.region === it.region && o.id !== it.id && o.createdAt !== null && o.createdAt >= it.createdAt! && matches(o) && groupOf(o) === groupOf(it))
                .sort((a, b) => (a.createdAt! < b.createdAt! ? 1 : a.createdAt! > b.createdAt! ? -1 : a.id.localeCompare(b.id)))
                .slice(0, rule.keep.newest)
                .forEach((o) => expected.add(o.id));
            }
          }
          expect(asked[0]?.[0]).toBe(it.id);
          expect(new Set(asked[0]?.slice(1))).toEqual(expected);
        }
      }),
      { numRuns: 150 },
    );
  });
});
