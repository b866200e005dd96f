/**
 * keep: newest per group (none, family, osTag, name regex), ties, who is counted, keep-wins across
 * rules, and which rule a candidate acts under.
 */
import { describe, expect, it } from 'vitest';
import { plan } from '../../functions/plan/planner.js';
import { NO_CAPS, NOW, daysAgo, decisions, fleet, item, planItem, policy, type RuleSpec } from '../support/builders.js';

const run = (items: Parameters<typeof fleet>[0], rules: RuleSpec[]) => plan(fleet(items), policy({ rules, limits: NO_CAPS }), NOW);

describe('keep.newest groups', () => {
  it('none: one group per region over everything the rule matched', () => {
    // An image is usable only in its region: the newest in cn-shanghai must not count against cn-hangzhou's.
    const items = [
      item({ id: 'm-1', createdAt: daysAgo(1), region: 'cn-shanghai' }),
      item({ id: 'm-2', createdAt: daysAgo(2) }),
      item({ id: 'm-3', createdAt: daysAgo(3) }),
      item({ id: 'm-4', createdAt: daysAgo(4) }),
    ];
    expect(decisions(run(items, [{ keep: { newest: 2 } }]))).toEqual({ 'm-1': 'keep', 'm-2': 'keep', 'm-3': 'keep', 'm-4': 'delete' });
  });

  it('family, with items without one in a group of their own', () => {
    const items = [
      item({ id: 'a-1', family: 'hpc-a', createdAt: daysAgo(1) }),
      item({ id: 'a-2', family: 'hpc-a', createdAt: daysAgo(2) }),
      item({ id: 'b-1', family: 'hpc-b', createdAt: daysAgo(3) }),
      item({ id: 'n-1', family: null, createdAt: daysAgo(4) }),
      item({ id: 'n-2', family: null, createdAt: daysAgo(5) }),
    ];
    const result = run(items, [{ keep: { newest: 1, groupBy: 'family' } }]);
    expect(decisions(result)).toEqual({ 'a-1': 'keep', 'a-2': 'delete', 'b-1': 'keep', 'n-1': 'keep', 'n-2': 'delete' });
    expect(planItem(result, 'n-2')).toMatchObject({ group: '(no family)' });
    expect(planItem(result, 'n-2').detail).toMatch(/^2nd newest in group family=\(no family\)/);
  });

  it('osTag', () => {
    const items = [
      item({ id: 'c-1', kind: 'ehpc-image', osTag: 'CentOS_7', createdAt: daysAgo(1) }),
      item({ id: 'c-2', kind: 'ehpc-image', osTag: 'CentOS_7', createdAt: daysAgo(2) }),
      item({ id: 'u-1', kind: 'ehpc-image', osTag: 'Ubuntu_22', createdAt: daysAgo(9) }),
    ];
    const result = run(items, [{ resource: 'ehpc-image', keep: { newest: 1, groupBy: 'osTag' } }]);
    expect(decisions(result)).toEqual({ 'c-1': 'keep', 'c-2': 'delete', 'u-1': 'keep' });
    expect(planItem(result, 'c-2').group).toBe('CentOS_7');
  });

  it('name regex: the first capture group; names it does not match form one group', () => {
    const items = [
      item({ id: 'm-1', name: 'app-1.2-x', createdAt: daysAgo(1) }),
      item({ id: 'm-2', name: 'app-1.2-y', createdAt: daysAgo(2) }),
      item({ id: 'm-3', name: 'app-1.3-x', createdAt: daysAgo(3) }),
      item({ id: 'm-4', name: 'other', createdAt: daysAgo(4) }),
      item({ id: 'm-5', name: 'another', createdAt: daysAgo(5) }),
    ];
    const result = run(items, [{ keep: { newest: 1, groupBy: { name: '^app-(\\d+\\.\\d+)-' } } }]);
    expect(decisions(result)).toEqual({ 'm-1': 'keep', 'm-2': 'delete', 'm-3': 'keep', 'm-4': 'keep', 'm-5': 'delete' });
    expect(planItem(result, 'm-2').group).toBe('1.2');
    expect(planItem(result, 'm-5').group).toBe('(no match)');
  });

  it('a family literally spelled like the placeholder is still its own group', () => {
    const items = [item({ id: 'm-1', family: '(no family)', createdAt: daysAgo(1) }), item({ id: 'm-2', family: null, createdAt: daysAgo(2) })];
    expect(decisions(run(items, [{ keep: { newest: 1, groupBy: 'family' } }]))).toEqual({ 'm-1': 'keep', 'm-2': 'keep' });
  });
});

describe('ranking', () => {
  it('equal creation times are broken by ID ascending', () => {
    const same = daysAgo(10);
    const items = ['m-c', 'm-a', 'm-b'].map((id) => item({ id, createdAt: same }));
    const result = run(items, [{ keep: { newest: 2 } }]);
    expect(decisions(result)).toEqual({ 'm-a': 'keep', 'm-b': 'keep', 'm-c': 'delete' });
    expect(planItem(result, 'm-c').detail).toMatch(/^3rd newest/);
  });

  it('protected items count among the newest: the rule keeps N, not N plus the protected ones', () => {
    const items = [
      item({ id: 'm-1', createdAt: daysAgo(1), inUse: true }),
      item({ id: 'm-2', createdAt: daysAgo(2), tags: { 'image-gc:keep': 'true' } }),
      item({ id: 'm-3', createdAt: daysAgo(3) }),
      item({ id: 'm-4', createdAt: daysAgo(4) }),
    ];
    expect(decisions(run(items, [{ keep: { newest: 3 } }]))).toEqual({ 'm-1': 'protect', 'm-2': 'protect', 'm-3': 'keep', 'm-4': 'delete' });
  });

  it('items of unknown age take no place among the newest', () => {
    const items = [
      item({ id: 'm-null', createdAt: null }),
      item({ id: 'm-future', createdAt: daysAgo(-3) }),
      item({ id: 'm-1', createdAt: daysAgo(1) }),
      item({ id: 'm-2', createdAt: daysAgo(2) }),
    ];
    expect(decisions(run(items, [{ keep: { newest: 1 } }]))).toEqual({ 'm-null': 'protect', 'm-future': 'protect', 'm-1': 'keep', 'm-2': 'delete' });
  });

  it('counts only the rule’s own matched set', () => {
    const items = [item({ id: 'web-new', name: 'web-1', createdAt: daysAgo(1) }), item({ id: 'hpc-old', name: 'hpc-1', createdAt: daysAgo(50) })];
    expect(decisions(run(items, [{ match: { name: 'hpc-*' }, keep: { newest: 1 } }]))).toEqual({ 'web-new': 'keep', 'hpc-old': 'keep' });
  });
});

describe('several rules', () => {
  it('keep wins: one rule keeping an item is enough', () => {
    const items = [item({ id: 'm-1', name: 'hpc-1', createdAt: daysAgo(10) })];
    const rules: RuleSpec[] = [
      { name: 'purge', keep: {} },
      { name: 'recent', match: { name: 'hpc-*' }, keep: { youngerThan: '30d' } },
    ];
    expect(planItem(run(items, rules), 'm-1')).toMatchObject({ decision: 'keep', rule: 'recent', reasons: ['younger-than'] });
  });

  it('reasons of every keeping rule; the rule named is the first that keeps', () => {
    const items = [item({ id: 'm-1', createdAt: daysAgo(10) })];
    const rules: RuleSpec[] = [
      { name: 'a', keep: { newest: 1 } },
      { name: 'b', keep: { youngerThan: '30d' } },
    ];
    expect(planItem(run(items, rules), 'm-1')).toMatchObject({ rule: 'a', reasons: ['newest', 'younger-than'] });
  });

  it('a candidate lists what every matching rule found, the acting rule first', () => {
    const items = [item({ id: 'm-1', createdAt: daysAgo(40) }), item({ id: 'm-0', createdAt: daysAgo(1), inUse: true })];
    const rules: RuleSpec[] = [
      { name: 'young', keep: { youngerThan: '30d' } },
      { name: 'newest', keep: { newest: 1 }, grace: '1d' },
    ];
    expect(planItem(run(items, rules), 'm-1')).toMatchObject({ decision: 'mark', rule: 'newest', reasons: ['not-newest', 'not-young'] });
  });

  it('a candidate acts under the rule with the longest grace; equal graces, the first', () => {
    const items = [item({ id: 'm-1' })];
    const longest = run(items, [
      { name: 'none', keep: {} },
      { name: 'short', keep: {}, grace: '1d' },
      { name: 'long', keep: {}, grace: '7d' },
      { name: 'long-too', keep: {}, grace: '7d' },
    ]);
    expect(planItem(longest, 'm-1')).toMatchObject({ decision: 'mark', rule: 'long' });
    expect(planItem(longest, 'm-1').detail).toMatch(/deleted once marked 7d/);
    expect(planItem(run(items, [{ name: 'x', keep: {} }, { name: 'y', keep: {} }]), 'm-1').rule).toBe('x');
  });
});
