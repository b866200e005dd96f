/**
 * Every decision and every reason of the spec's table ("What every item gets"), one example each,
 * with the detail sentence checked loosely.
 */
import { describe, expect, it } from 'vitest';
import { plan } from '../../functions/plan/planner.js';
import { DECISIONS } from '../../functions/plan/types.js';
import { MARK_TAG_KEY } from '../../functions/policy/types.js';
import { NO_CAPS, NOW, daysAgo, fact, fleet, item, markedDaysAgo, planItem, policy, rule, type RuleSpec } from '../support/builders.js';

const oldImage = item({ id: 'm-old', name: 'build-old', createdAt: daysAgo(41) });

function planOne(spec: Parameters<typeof item>[0], rules: RuleSpec[], extra: Parameters<typeof policy>[0] = {}) {
  const it = item(spec);
  return planItem(plan(fleet([it]), policy({ rules, limits: NO_CAPS, ...extra }), NOW), it.id);
}

describe('candidates', () => {
  it('delete, not-young: older than keep.youngerThan, no grace', () => {
    const p = planOne({ id: 'm-1', createdAt: daysAgo(41) }, [{ name: 'old', keep: { youngerThan: '30d' } }]);
    expect(p).toMatchObject({ decision: 'delete', rule: 'old', reasons: ['not-young'], markedAt: null });
    expect(p.detail).toBe('rule old keeps anything younger than 30d (this one is 41d old)');
  });

  it('delete, no-keep: the rule keeps nothing', () => {
    const p = planOne({ id: 'm-1' }, [{ name: 'all', keep: {} }]);
    expect(p).toMatchObject({ decision: 'delete', reasons: ['no-keep'] });
    expect(p.detail).toMatch(/rule all keeps nothing/);
  });

  it('delete, not-newest: the detail says where it stands in its group', () => {
    const items = [1, 2, 3, 4].map((n) => item({ id: `m-${n}`, family: 'hpc-base', createdAt: daysAgo(40 + n) }));
    const rules = [{ name: 'stale-hpc-builds', keep: { newest: 3, groupBy: 'family', youngerThan: '30d' } } as const];
    const result = plan(fleet(items), policy({ rules, limits: NO_CAPS }), NOW);
    expect(planItem(result, 'm-4')).toMatchObject({ decision: 'delete', reasons: ['not-newest', 'not-young'], group: 'hpc-base' });
    expect(planItem(result, 'm-4').detail).toBe(
      '4th newest in group family=hpc-base in its region; rule stale-hpc-builds keeps the 3 newest and anything younger than 30d (this one is 44d old)',
    );
  });

  it('delete, not-active: a pipeline idle longer than activeWithin', () => {
    const p = planOne(
      { id: 'p-1', kind: 'image-pipeline', createdAt: daysAgo(90), lastActivityAt: daysAgo(20) },
      [{ name: 'idle', resource: 'image-pipeline', keep: { activeWithin: '14d' } }],
    );
    expect(p).toMatchObject({ decision: 'delete', reasons: ['not-active'] });
    expect(p.detail).toMatch(/anything active within 14d .*last active 20d ago/);
  });

  it('mark: a candidate under a rule with grace and no mark yet', () => {
    const p = planOne({ id: 'm-1' }, [{ name: 'g', keep: { youngerThan: '30d' }, grace: '7d' }]);
    expect(p).toMatchObject({ decision: 'mark', rule: 'g', reasons: ['not-young'], markedAt: null });
    expect(p.detail).toMatch(/^marking now, deleted once marked 7d; rule g keeps/);
  });

  it('wait: marked earlier, grace not over', () => {
    const p = planOne({ id: 'm-1', tags: markedDaysAgo(2) }, [{ name: 'g', keep: { youngerThan: '30d' }, grace: '7d' }]);
    expect(p).toMatchObject({ decision: 'wait', reasons: ['not-young'], markedAt: daysAgo(2) });
    expect(p.detail).toMatch(/marked 2d ago, grace 7d ends in 5d/);
  });

  it('delete, grace: marked longer ago than the grace', () => {
    const p = planOne({ id: 'm-1', tags: markedDaysAgo(8) }, [{ name: 'g', keep: { youngerThan: '30d' }, grace: '7d' }]);
    expect(p).toMatchObject({ decision: 'delete', reasons: ['not-young', 'grace'] });
    expect(p.detail).toMatch(/marked 8d ago, grace 7d is over/);
  });

  it('defer, max-deletions-per-run', () => {
    const items = [item({ id: 'm-a', createdAt: daysAgo(50) }), item({ id: 'm-b', createdAt: daysAgo(40) })];
    const result = plan(fleet(items), policy({ rules: [{ keep: {} }], limits: { ...NO_CAPS, maxDeletionsPerRun: 1 } }), NOW);
    expect(planItem(result, 'm-a').decision).toBe('delete');
    expect(planItem(result, 'm-b')).toMatchObject({ decision: 'defer', reasons: ['max-deletions-per-run', 'no-keep'] });
    expect(planItem(result, 'm-b').detail).toMatch(/^deferred: maxDeletionsPerRun 1 reached; /);
  });

  it('abort, max-deletion-percent', () => {
    const items = [item({ id: 'm-a' }), item({ id: 'm-b', tags: { 'image-gc:keep': 'true' } })];
    const result = plan(fleet(items), policy({ rules: [{ keep: {} }], limits: { ...NO_CAPS, maxDeletionPercent: 40 } }), NOW);
    expect(planItem(result, 'm-a')).toMatchObject({ decision: 'abort', reasons: ['max-deletion-percent', 'no-keep'] });
    expect(planItem(result, 'm-a').detail).toMatch(/^aborted: 1 of 2 ecs-image in cn-hangzhou are candidates \(50%\), above maxDeletionPercent 40/);
    expect(result.aborted).toEqual([{ kind: 'ecs-image', region: 'cn-hangzhou', listed: 2, candidates: 1, percent: 50, limit: 40 }]);
  });
});

describe('keep', () => {
  it('newest', () => {
    const items = [item({ id: 'm-new', createdAt: daysAgo(40) }), oldImage];
    const result = plan(fleet(items), policy({ rules: [{ name: 'n', keep: { newest: 1 } }], limits: NO_CAPS }), NOW);
    expect(planItem(result, 'm-new')).toMatchObject({ decision: 'keep', rule: 'n', reasons: ['newest'], group: '(all)' });
    expect(planItem(result, 'm-new').detail).toBe('1st newest in its region; kept by rule n, which keeps the 1 newest (this one is 40d old)');
  });

  it('younger-than', () => {
    const p = planOne({ id: 'm-1', createdAt: daysAgo(3) }, [{ name: 'y', keep: { youngerThan: '30d' } }]);
    expect(p).toMatchObject({ decision: 'keep', rule: 'y', reasons: ['younger-than'] });
    expect(p.detail).toMatch(/kept by rule y, which keeps anything younger than 30d \(this one is 3d old\)/);
  });

  it('active-within, counting the newest execution even when lastActivityAt lags', () => {
    const p = planOne(
      {
        id: 'p-1',
        kind: 'image-pipeline',
        createdAt: daysAgo(90),
        lastActivityAt: daysAgo(60),
        executions: [{ id: 'e-1', status: 'SUCCESS', createdAt: daysAgo(5), modifiedAt: daysAgo(4) }],
      },
      [{ name: 'idle', resource: 'image-pipeline', keep: { activeWithin: '14d' } }],
    );
    expect(p).toMatchObject({ decision: 'keep', reasons: ['active-within'] });
    expect(p.detail).toMatch(/last active 4d ago/);
  });

  it('unmatched: no rule of its kind matches', () => {
    const p = planOne({ id: 'm-1', name: 'web-1' }, [{ match: { name: 'hpc-*' }, keep: {} }]);
    expect(p).toMatchObject({ decision: 'keep', rule: null, reasons: ['unmatched'], group: null });
    expect(p.detail).toBe('no rule matches this ecs-image');
  });

  it('unmatched: a rule for another kind does not reach it', () => {
    const p = planOne({ id: 'w-1', kind: 'wuying-image' }, [{ resource: 'ecs-image', keep: {} }]);
    expect(p.reasons).toEqual(['unmatched']);
  });
});

describe('protect', () => {
  const anyRule: RuleSpec[] = [{ name: 'all', keep: {} }];
  const cases: Array<[string, Parameters<typeof item>[0], RegExp]> = [
    ['tag', { tags: { 'image-gc:keep': 'TRUE' } }, /tag image-gc:keep=TRUE/],
    ['in-use', { inUse: fact(true, 'Usage=instance') }, /Usage=instance \(in use by instances\)/],
    ['in-use', { inUse: fact(null, 'Usage missing') }, /Usage missing \(use unknown, so kept\)/],
    ['shared', { shared: fact(true, 'IsSelfShared=true') }, /IsSelfShared=true \(shared with other accounts\)/],
    ['public', { isPublic: fact(true, 'IsPublic=true') }, /IsPublic=true \(public or community image\)/],
    ['busy', { atRest: fact(false, 'Status=Creating') }, /Status=Creating \(not at rest\)/],
    ['not-owned', { owned: fact(false, 'ImageOwnerAlias=system') }, /ImageOwnerAlias=system \(not owned by this account\)/],
    ['not-owned', { owned: fact(null, 'ImageOwnerAlias missing') }, /ownership unknown/],
    ['unknown-age', { createdAt: null, createdAtRaw: null }, /no creation time/],
    ['unknown-age', { createdAt: null, createdAtRaw: 'Tuesday' }, /creation time "Tuesday" cannot be read/],
    ['unknown-age', { createdAt: daysAgo(-1) }, /is in the future/],
  ];
  it.each(cases)('%s %#', (reason, spec, detail) => {
    const p = planOne({ id: 'm-1', ...spec }, anyRule);
    expect(p).toMatchObject({ decision: 'protect', rule: null, reasons: [reason] });
    expect(p.detail).toMatch(/^protected: /);
    expect(p.detail).toMatch(detail);
    expect(p.detail).toMatch(/; otherwise rule all would make it a candidate$/);
  });

  it('id', () => {
    const p = planOne({ id: 'm-keepme' }, anyRule, { protectIds: ['m-keepme'] });
    expect(p).toMatchObject({ decision: 'protect', reasons: ['id'] });
    expect(p.detail).toMatch(/ID m-keepme is in protect.ids/);
  });

  it('a protect tag of the policy, value compared case-insensitively', () => {
    const p = planOne({ id: 'm-1', tags: { env: 'PROD' } }, anyRule, { protectTags: { env: 'prod' } });
    expect(p).toMatchObject({ decision: 'protect', reasons: ['tag'] });
  });

  it('the built-in keep tag holds even when a hand-built policy leaves it out', () => {
    const bare = { ...policy({ rules: anyRule, limits: NO_CAPS }) };
    const withoutBuiltin = { ...bare, protect: { tags: [], ids: [] } };
    const it = item({ id: 'm-1', tags: { 'image-gc:keep': 'true' } });
    expect(planItem(plan(fleet([it]), withoutBuiltin, NOW), 'm-1').decision).toBe('protect');
  });

  it('running-execution for pipelines', () => {
    const p = planOne({ id: 'p-1', kind: 'image-pipeline', atRest: fact(false, 'execution exec-1 is BUILDING') }, [
      { resource: 'image-pipeline', keep: {} },
    ]);
    expect(p).toMatchObject({ decision: 'protect', reasons: ['running-execution'] });
    expect(p.detail).toMatch(/exec-1 is BUILDING \(an execution is running\)/);
  });

  it('lists every protection, the operator’s first', () => {
    const p = planOne(
      { id: 'm-1', tags: { 'image-gc:keep': 'true' }, inUse: true, shared: true, isPublic: true, atRest: false, owned: false, createdAt: null },
      anyRule,
      { protectIds: ['m-1'] },
    );
    expect(p.reasons).toEqual(['tag', 'id', 'not-owned', 'in-use', 'shared', 'public', 'busy', 'unknown-age']);
  });

  it('protects unmatched items too, and then says nothing about rules', () => {
    const p = planOne({ id: 'm-1', name: 'web-1', inUse: true }, [{ match: { name: 'hpc-*' }, keep: {} }]);
    expect(p).toMatchObject({ decision: 'protect', reasons: ['in-use'] });
    expect(p.detail).not.toMatch(/rule/);
  });

  it('a creation time up to 5 minutes ahead is clock skew, not unknown age', () => {
    const p = planOne({ id: 'm-1', createdAt: new Date(NOW.getTime() + 4 * 60_000).toISOString() }, [{ keep: { youngerThan: '1d' } }]);
    expect(p).toMatchObject({ decision: 'keep', reasons: ['younger-than'] });
  });

  it('an ISO time without a zone, or an impossible date, is an unknown age', () => {
    expect(planOne({ id: 'm-1', createdAt: '2025-01-01T00:00:00' }, anyRule).reasons).toEqual(['unknown-age']);
    expect(planOne({ id: 'm-1', createdAt: '2025-02-30T00:00:00Z' }, anyRule).reasons).toEqual(['unknown-age']);
  });
});

describe('unmark', () => {
  it('a marked item that a protection now saves', () => {
    const p = planOne({ id: 'm-1', tags: { ...markedDaysAgo(3), 'image-gc:keep': 'true' } }, [{ keep: {}, grace: '7d' }]);
    expect(p).toMatchObject({ decision: 'unmark', rule: null, reasons: ['tag'], markedAt: daysAgo(3) });
    expect(p.detail).toMatch(/^unmarking \(marked at .*\), no longer a candidate: protected: tag image-gc:keep=true/);
  });

  it('a marked item that a rule now keeps', () => {
    const p = planOne({ id: 'm-1', createdAt: daysAgo(2), tags: markedDaysAgo(1) }, [{ name: 'y', keep: { youngerThan: '30d' }, grace: '7d' }]);
    expect(p).toMatchObject({ decision: 'unmark', rule: 'y', reasons: ['younger-than'] });
  });

  it('a marked item no rule matches any more', () => {
    const p = planOne({ id: 'm-1', name: 'web-1', tags: markedDaysAgo(1) }, [{ match: { name: 'hpc-*' }, keep: {} }]);
    expect(p).toMatchObject({ decision: 'unmark', rule: null, reasons: ['unmatched'] });
  });

  it('not an item we do not own: we cannot untag it', () => {
    const p = planOne({ id: 'm-1', owned: false, tags: markedDaysAgo(1) }, [{ keep: {}, grace: '7d' }]);
    expect(p).toMatchObject({ decision: 'protect', reasons: ['not-owned'] });
  });

  it('a mark tag on a kind we cannot tag is not ours and is ignored', () => {
    const p = planOne({ id: 'w-1', kind: 'wuying-image', tags: { [MARK_TAG_KEY]: daysAgo(1) } }, [{ resource: 'wuying-image', keep: {} }]);
    expect(p).toMatchObject({ decision: 'delete', markedAt: null });
  });
});

describe('the plan as a whole', () => {
  it('one item per inventory item, counts for every decision, now as ISO, warnings passed on', () => {
    const items = [item({ id: 'm-1', warnings: ['Tags missing from DescribeImages'] }), item({ id: 'm-2', inUse: true })];
    const result = plan(fleet(items), policy({ rules: [{ keep: {} }], limits: NO_CAPS }), NOW);
    expect(result.items.map((p) => p.id).sort()).toEqual(['m-1', 'm-2']);
    expect(Object.keys(result.counts).sort()).toEqual([...DECISIONS].sort());
    expect(result.counts).toMatchObject({ delete: 1, protect: 1, keep: 0, abort: 0 });
    expect(result.now).toBe(NOW.toISOString());
    expect(planItem(result, 'm-1').warnings).toEqual(['Tags missing from DescribeImages']);
  });

  it('orders items by kind, region, newest first (unknown last), then ID', () => {
    const items = [
      item({ id: 'p-1', kind: 'image-pipeline', createdAt: daysAgo(1) }),
      item({ id: 'm-z', region: 'cn-shanghai', createdAt: daysAgo(1) }),
      item({ id: 'm-null', createdAt: null }),
      item({ id: 'm-b', createdAt: daysAgo(5) }),
      item({ id: 'm-a', createdAt: daysAgo(5) }),
      item({ id: 'm-new', createdAt: daysAgo(1) }),
      item({ id: 'e-1', kind: 'ehpc-image', region: 'cn-shanghai' }),
    ];
    const result = plan(fleet(items), policy({ rules: [{ keep: {} }], limits: NO_CAPS }), NOW);
    expect(result.items.map((p) => p.id)).toEqual(['e-1', 'm-new', 'm-a', 'm-b', 'm-null', 'm-z', 'p-1']);
  });

  it('does not touch its inputs', () => {
    const deepFreeze = <T>(value: T): T => {
      if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const v of Object.values(value)) deepFreeze(v);
      }
      return value;
    };
    const inventory = deepFreeze(fleet([item({ id: 'm-1', tags: markedDaysAgo(9) }), item({ id: 'm-2' }), oldImage]));
    const frozenPolicy = deepFreeze(policy({ rules: [{ keep: { newest: 1 }, grace: '7d' }], limits: { maxDeletionsPerRun: 0 } }));
    expect(() => plan(inventory, frozenPolicy, NOW)).not.toThrow();
  });

  it('refuses an invalid clock and a grace on a kind that cannot be tagged', () => {
    expect(() => plan(fleet([]), policy(), new Date('nonsense'))).toThrow(/now/);
    const bad = policy({ rules: [rule({ resource: 'wuying-image', grace: '7d' })] });
    expect(() => plan(fleet([]), bad, NOW)).toThrow(/cannot be tagged/);
  });

  it('a region and kind whose listing failed acts on nothing', () => {
    const items = [item({ id: 'm-1' }), item({ id: 'm-2', region: 'cn-shanghai' })];
    const failure = { kind: 'ecs-image', region: 'cn-hangzhou', code: 'Throttling', message: 'x' } as const;
    const result = plan(fleet(items, [failure]), policy({ rules: [{ keep: {} }], limits: NO_CAPS }), NOW);
    expect(planItem(result, 'm-1')).toMatchObject({ decision: 'abort', reasons: ['no-keep'] });
    expect(planItem(result, 'm-1').detail).toMatch(/^aborted: listing ecs-image in cn-hangzhou failed \(Throttling\)/);
    expect(planItem(result, 'm-2').decision).toBe('delete');
  });
});

describe('matching', () => {
  const matchOne = (spec: Parameters<typeof item>[0], match: RuleSpec['match'], resource: RuleSpec['resource'] = 'ecs-image') =>
    planOne({ id: 'x-1', kind: resource, ...spec }, [{ resource, match, keep: {} }]).reasons[0] !== 'unmatched';

  it('name: any glob, anchored', () => {
    expect(matchOne({ name: 'hpc-build-7' }, { name: ['web-*', 'hpc-build-?'] })).toBe(true);
    expect(matchOne({ name: 'my-hpc-build-7' }, { name: 'hpc-*' })).toBe(false);
  });

  it('tags: every key present, its value matching', () => {
    expect(matchOne({ tags: { team: 'hpc', env: 'dev' } }, { tags: { team: 'hpc', env: 'd*' } })).toBe(true);
    expect(matchOne({ tags: { team: 'hpc' } }, { tags: { team: 'hpc', env: '*' } })).toBe(false);
  });

  it('status and productType: any, case-insensitive', () => {
    expect(matchOne({ status: 'UnAvailable' }, { status: ['Available', 'unavailable'] })).toBe(true);
    expect(matchOne({ status: null }, { status: ['Available'] })).toBe(false);
    expect(matchOne({ productType: 'cloudapp' }, { productType: ['CloudApp'] }, 'wuying-image')).toBe(true);
  });

  it('osTag and family: any glob; an item without the field does not match', () => {
    expect(matchOne({ osTag: 'CentOS_7' }, { osTag: 'CentOS_*' }, 'ehpc-image')).toBe(true);
    expect(matchOne({ family: null }, { family: '*' })).toBe(false);
    expect(matchOne({ family: 'hpc-base' }, { family: ['web', 'hpc-*'] })).toBe(true);
  });

  it('a tag map is data: prototype keys are not tags', () => {
    expect(matchOne({ tags: {} }, { tags: { constructor: '*' } })).toBe(false);
  });
});

describe('scale', () => {
  it('plans 100,000 items, one decision each', () => {
    const kinds = ['ecs-image', 'ehpc-image', 'wuying-image', 'image-pipeline'] as const;
    const items = Array.from({ length: 100_000 }, (_, i) =>
      item({
        id: `m-${i.toString(36)}`,
        name: `hpc-build-${i % 500}`,
        kind: kinds[i % 4],
        region: i % 8 < 4 ? 'cn-hangzhou' : 'cn-shanghai',
        createdAt: daysAgo((i * 7919) % 400),
        family: `hpc-${i % 50}`,
        tags: i % 10 === 0 ? markedDaysAgo(i % 9) : {},
      }),
    );
    const rules: RuleSpec[] = [
      { name: 'a', keep: { newest: 3, groupBy: 'family', youngerThan: '30d' }, grace: '7d' },
      { name: 'b', keep: { newest: 5, groupBy: { name: '^hpc-build-(\\d+)' } } },
      { name: 'c', resource: 'ehpc-image', keep: { newest: 2 } },
      { name: 'd', resource: 'image-pipeline', keep: { activeWithin: '14d' } },
    ];
    // How fast is the bench's business (npm run bench, "Scale"); this checks the answer is whole.
    const result = plan(fleet(items), policy({ rules }), NOW);
    expect(result.items).toHaveLength(100_000);
    expect(Object.values(result.counts).reduce((a, b) => a + b, 0)).toBe(100_000);
  });
});
