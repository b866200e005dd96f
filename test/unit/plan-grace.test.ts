/**
 * Grace over successive runs: the tags a run writes are applied by hand between plans, the way the
 * sweep would apply them, and the clock moves on.
 */
import { describe, expect, it } from 'vitest';
import type { InventoryItem } from '../../functions/inventory/types.js';
import { plan } from '../../functions/plan/planner.js';
import type { PlanItem } from '../../functions/plan/types.js';
import { MARK_TAG_KEY } from '../../functions/policy/types.js';
import { DAY_MS, NOW, fleet, item, planItem, policy } from '../support/builders.js';

const t0 = NOW.getTime();
const at = (ms: number) => new Date(ms);
const gracePolicy = policy({ rules: [{ name: 'old', keep: { youngerThan: '30d' }, grace: '7d' }], limits: { maxDeletionPercent: 100 } });

/** What the sweep would do to the item's tags for this decision, at this time. */
function apply(it: InventoryItem, decided: PlanItem, now: Date): InventoryItem {
  if (decided.decision === 'mark') return { ...it, tags: { ...it.tags, [MARK_TAG_KEY]: now.toISOString() } };
  if (decided.decision === 'unmark') {
    const { [MARK_TAG_KEY]: _removed, ...rest } = it.tags;
    return { ...it, tags: rest };
  }
  return it;
}

function step(it: InventoryItem, now: Date): { it: InventoryItem; decided: PlanItem } {
  const decided = planItem(plan(fleet([it]), gracePolicy, now), it.id);
  return { it: apply(it, decided, now), decided };
}

describe('grace across runs', () => {
  it('mark, then wait, then delete once the mark is exactly grace old', () => {
    let it = item({ id: 'm-1', createdAt: new Date(t0 - 60 * DAY_MS).toISOString() });
    const seen: string[] = [];
    for (const now of [t0, t0 + DAY_MS, t0 + 7 * DAY_MS - 1, t0 + 7 * DAY_MS]) {
      const next = step(it, at(now));
      seen.push(next.decided.decision);
      it = next.it;
    }
    expect(seen).toEqual(['mark', 'wait', 'wait', 'delete']);
  });

  it('a keep tag unmarks, and removing it later starts the grace over instead of deleting at once', () => {
    let it = item({ id: 'm-1', createdAt: new Date(t0 - 60 * DAY_MS).toISOString() });
    it = step(it, at(t0)).it;
    it = { ...it, tags: { ...it.tags, 'image-gc:keep': 'true' } };
    const unmarked = step(it, at(t0 + 2 * DAY_MS));
    expect(unmarked.decided).toMatchObject({ decision: 'unmark', reasons: ['tag'] });
    const { 'image-gc:keep': _dropped, ...withoutKeep } = unmarked.it.tags;
    const again = step({ ...unmarked.it, tags: withoutKeep }, at(t0 + 30 * DAY_MS));
    expect(again.decided.decision).toBe('mark');
  });

  it('an unreadable mark is marked again, with a warning', () => {
    const it = item({ id: 'm-1', tags: { [MARK_TAG_KEY]: 'last week' } });
    const decided = step(it, NOW).decided;
    expect(decided).toMatchObject({ decision: 'mark', markedAt: 'last week', reasons: ['not-young'] });
    expect(decided.warnings).toEqual([expect.stringMatching(/not an ISO time/)]);
    expect(decided.detail).toMatch(/^re-marking/);
  });

  it('a mark in the future waits, with a warning', () => {
    const it = item({ id: 'm-1', tags: { [MARK_TAG_KEY]: new Date(t0 + 3 * DAY_MS).toISOString() } });
    const decided = step(it, NOW).decided;
    expect(decided.decision).toBe('wait');
    expect(decided.warnings).toEqual([expect.stringMatching(/in the future/)]);
  });

  it('a marked candidate under a rule without grace is deleted', () => {
    const it = item({ id: 'm-1', tags: { [MARK_TAG_KEY]: NOW.toISOString() } });
    const decided = planItem(plan(fleet([it]), policy({ rules: [{ keep: {} }], limits: { maxDeletionPercent: 100 } }), NOW), 'm-1');
    expect(decided).toMatchObject({ decision: 'delete', reasons: ['no-keep'], markedAt: NOW.toISOString() });
  });
});
