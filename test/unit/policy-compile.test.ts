/** compile.ts: the validated document into the planner's Policy. */
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../functions/policy/compile.js';
import { compileGlob } from '../../functions/policy/glob.js';
import { policySchema, type PolicyDocumentInput } from '../../functions/policy/schema.js';

const compile = (doc: PolicyDocumentInput) => compilePolicy(policySchema.parse(doc));
const base = { version: 1 as const, regions: ['cn-hangzhou'] };

describe('compilePolicy', () => {
  it('always protects image-gc:keep=true, first, case-insensitively, and adds the listed pairs', () => {
    const policy = compile({
      ...base,
      protect: { tags: { 'image-gc:keep': 'TRUE', owner: 'release-*' }, ids: ['m-1', 'm-1', 'm-2'] },
      rules: [{ name: 'a', resource: 'ecs-image', keep: {} }],
    });
    expect(policy.protect.tags.map((t) => [t.key, t.value.source])).toEqual([
      ['image-gc:keep', 'true'],
      ['owner', 'release-*'],
    ]);
    expect(policy.protect.tags[0]!.value.test('True')).toBe(true);
    expect(policy.protect.tags[1]!.value.test('RELEASE-1')).toBe(true);
    expect(policy.protect.ids).toEqual(['m-1', 'm-2']);
  });

  it('adds the built-in pair when protect is left out', () => {
    const policy = compile({ ...base, rules: [{ name: 'a', resource: 'ecs-image', keep: {} }] });
    expect(policy.protect.tags.map((t) => [t.key, t.value.source])).toEqual([['image-gc:keep', 'true']]);
    expect(policy.protect.ids).toEqual([]);
  });

  it('keeps a different image-gc:keep value as an extra protection', () => {
    const policy = compile({
      ...base,
      protect: { tags: { 'image-gc:keep': 'yes' } },
      rules: [{ name: 'a', resource: 'ecs-image', keep: {} }],
    });
    expect(policy.protect.tags.map((t) => t.value.source)).toEqual(['true', 'yes']);
  });

  it('turns one-or-many into lists, and match tag globs are case-sensitive', () => {
    const policy = compile({
      ...base,
      rules: [
        {
          name: 'w',
          resource: 'wuying-image',
          match: { name: 'desk-*', status: 'AVAILABLE', productType: 'CloudApp', tags: { team: 'hpc' } },
          keep: { newest: 1 },
        },
      ],
    });
    const match = policy.rules[0]!.match;
    expect(match.name?.map((g) => g.source)).toEqual(['desk-*']);
    expect(match.status).toEqual(['AVAILABLE']);
    expect(match.productType).toEqual(['CloudApp']);
    expect(match.tags?.[0]?.value.test('HPC')).toBe(false);
    expect(match.tags?.[0]?.value.test('hpc')).toBe(true);
    expect(policy.rules[0]!.deleteSnapshots).toBeUndefined();
  });

  it('compiles groupBy name to a u-flag RegExp and keeps its source', () => {
    const policy = compile({
      ...base,
      rules: [{ name: 'e', resource: 'ecs-image', keep: { newest: 2, groupBy: { name: '^(web-[a-z]+)-' } } }],
    });
    const groupBy = policy.rules[0]!.keep.groupBy;
    expect(groupBy.by).toBe('name');
    if (groupBy.by !== 'name') return;
    expect(groupBy.source).toBe('^(web-[a-z]+)-');
    expect(groupBy.pattern.flags).toBe('u');
    expect(groupBy.pattern.exec('web-shop-1.2')?.[1]).toBe('web-shop');
  });

  it('converts every duration unit', () => {
    const policy = compile({
      ...base,
      rules: [{ name: 'e', resource: 'ehpc-image', keep: { youngerThan: '12h' }, grace: '2w', deleteSnapshots: true }],
    });
    expect(policy.rules[0]!.keep.youngerThanMs).toBe(12 * 3_600_000);
    expect(policy.rules[0]!.graceMs).toBe(14 * 86_400_000);
    expect(policy.rules[0]!.deleteSnapshots).toBe(true);
  });
});

describe('shared glob.ts', () => {
  // It once escaped '-' as '\-', which a u-flag RegExp refuses, so every glob with a dash threw.
  it('compiles globs with dashes and slashes', () => {
    expect(compileGlob('hpc-build-*').test('hpc-build-1')).toBe(true);
    expect(compileGlob('a/b-?', { ignoreCase: true }).test('A/B-1')).toBe(true);
  });
});
