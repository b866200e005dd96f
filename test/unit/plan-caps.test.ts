/**
 * The caps: maxDeletionPercent per region and kind (above the limit, not at it), then
 * maxDeletionsPerRun oldest first across every region and kind.
 */
import { describe, expect, it } from 'vitest';
import { plan } from '../../functions/plan/planner.js';
import { NOW, daysAgo, decisions, fleet, item, markedDaysAgo, planItem, policy } from '../support/builders.js';

const deleteAll = { name: 'all', keep: {} };
const keepTag = { 'image-gc:keep': 'true' };

describe('maxDeletionPercent', () => {
  const group = (candidates: number, listed: number, region = 'cn-hangzhou') =>
    Array.from({ length: listed }, (_, i) => item({ id: `${region}-${i}`, region, ...(i >= candidates && { tags: keepTag }) }));

  it('exactly at the limit is allowed', () => {
    const result = plan(fleet(group(2, 4)), policy({ rules: [deleteAll], limits: { maxDeletionPercent: 50, maxDeletionsPerRun: 100 } }), NOW);
    expect(result.aborted).toEqual([]);
    expect(result.counts.delete).toBe(2);
  });

  it('above the limit, every candidate of the group is aborted and the group reported', () => {
    const items = [...group(3, 4), ...group(1, 4, 'cn-shanghai')];
    const result = plan(fleet(items), policy({ rules: [deleteAll], limits: { maxDeletionPercent: 50, maxDeletionsPerRun: 100 } }), NOW);
    expect(result.aborted).toEqual([{ kind: 'ecs-image', region: 'cn-hangzhou', listed: 4, candidates: 3, percent: 75, limit: 50 }]);
    expect(result.counts).toMatchObject({ abort: 3, delete: 1, protect: 4 });
    expect(planItem(result, 'cn-shanghai-0').decision).toBe('delete');
  });

  it('marks and waits count: they are deletions announced', () => {
    const items = [item({ id: 'm-1' }), item({ id: 'm-2', tags: markedDaysAgo(1) }), item({ id: 'm-3', tags: keepTag })];
    const result = plan(fleet(items), policy({ rules: [{ keep: {}, grace: '7d' }], limits: { maxDeletionPercent: 60 } }), NOW);
    expect(decisions(result)).toEqual({ 'm-1': 'abort', 'm-2': 'abort', 'm-3': 'protect' });
    expect(result.aborted[0]?.percent).toBe(66.7);
  });

  it('per kind too: the same region of another kind is judged on its own', () => {
    const items = [item({ id: 'e-1', kind: 'ehpc-image' }), item({ id: 'm-1' }), item({ id: 'm-2', tags: keepTag })];
    const rules = [deleteAll, { name: 'ehpc', resource: 'ehpc-image' as const, keep: {} }];
    const result = plan(fleet(items), policy({ rules, limits: { maxDeletionPercent: 50 } }), NOW);
    expect(decisions(result)).toEqual({ 'e-1': 'abort', 'm-1': 'delete', 'm-2': 'protect' });
  });
});

describe('maxDeletionsPerRun', () => {
  it('deletes the oldest first across regions and kinds, defers the rest', () => {
    const items = [
      item({ id: 'm-hz-30', createdAt: daysAgo(30) }),
      item({ id: 'm-sh-50', region: 'cn-shanghai', createdAt: daysAgo(50) }),
      item({ id: 'e-hz-40', kind: 'ehpc-image', createdAt: daysAgo(40) }),
      item({ id: 'p-bj-35', kind: 'image-pipeline', region: 'cn-beijing', createdAt: daysAgo(35) }),
    ];
    const rules = [deleteAll, { name: 'e', resource: 'ehpc-image' as const, keep: {} }, { name: 'p', resource: 'image-pipeline' as const, keep: {} }];
    const result = plan(fleet(items), policy({ rules, limits: { maxDeletionPercent: 100, maxDeletionsPerRun: 2 } }), NOW);
    expect(decisions(result)).toEqual({ 'm-sh-50': 'delete', 'e-hz-40': 'delete', 'p-bj-35': 'defer', 'm-hz-30': 'defer' });
  });

  it('equal ages: kind order, then region, then ID', () => {
    const same = daysAgo(30);
    const items = [
      item({ id: 'm-b', createdAt: same }),
      item({ id: 'm-a', region: 'cn-shanghai', createdAt: same }),
      item({ id: 'm-a2', createdAt: same }),
      item({ id: 'e-z', kind: 'ehpc-image', region: 'cn-shanghai', createdAt: same }),
    ];
    const rules = [deleteAll, { name: 'e', resource: 'ehpc-image' as const, keep: {} }];
    const result = plan(fleet(items), policy({ rules, limits: { maxDeletionPercent: 100, maxDeletionsPerRun: 2 } }), NOW);
    expect(decisions(result)).toEqual({ 'e-z': 'delete', 'm-a2': 'delete', 'm-b': 'defer', 'm-a': 'defer' });
  });

  it('marks are not deletions and are not capped', () => {
    const items = [1, 2, 3].map((n) => item({ id: `m-${n}` }));
    const result = plan(fleet(items), policy({ rules: [{ keep: {}, grace: '7d' }], limits: { maxDeletionPercent: 100, maxDeletionsPerRun: 0 } }), NOW);
    expect(result.counts).toMatchObject({ mark: 3, defer: 0 });
  });

  it('aborted groups use none of the budget', () => {
    const items = [
      item({ id: 'm-old', createdAt: daysAgo(90) }),
      item({ id: 'e-new', kind: 'ehpc-image', createdAt: daysAgo(10) }),
      item({ id: 'e-kept', kind: 'ehpc-image', tags: keepTag }),
    ];
    const rules = [deleteAll, { name: 'e', resource: 'ehpc-image' as const, keep: {} }];
    const result = plan(fleet(items), policy({ rules, limits: { maxDeletionPercent: 50, maxDeletionsPerRun: 1 } }), NOW);
    expect(decisions(result)).toEqual({ 'm-old': 'abort', 'e-new': 'delete', 'e-kept': 'protect' });
  });
});
