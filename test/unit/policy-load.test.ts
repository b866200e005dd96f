/**
 * Loading good policies: the spec's example compiles to the expected values, every shipped
 * policy loads cleanly, and the loader's plumbing (bytes, files, hashes, error format) holds.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatPolicyErrors, loadPolicy, loadPolicyFile, type LoadResult } from '../../functions/policy/load.js';
import type { Policy } from '../../functions/policy/types.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/policies/${name}`, import.meta.url));
const POLICIES = fileURLToPath(new URL('../../policies/', import.meta.url));
const DAY = 86_400_000;

function policyOf(result: LoadResult): Policy {
  if (!result.ok) throw new Error(formatPolicyErrors(result.errors));
  return result.policy;
}

describe('the spec example', () => {
  const result = loadPolicyFile(fixture('good/spec-example.yaml'));
  const policy = policyOf(result);

  it('fills defaults and converts durations to milliseconds', () => {
    expect(policy.version).toBe(1);
    expect(policy.mode).toBe('dry-run');
    expect(policy.regions).toEqual(['cn-hangzhou', 'cn-shanghai']);
    expect(policy.limits).toEqual({ maxDeletionsPerRun: 20, maxDeletionPercent: 50, concurrency: 4, requestsPerSecond: 5 });
    expect(policy.protect.ids).toEqual(['m-bp1keepme0000000000']);
    // The listed image-gc:keep=true is the built-in pair: not repeated.
    expect(policy.protect.tags.map((t) => [t.key, t.value.source])).toEqual([['image-gc:keep', 'true']]);
  });

  it('compiles the ehpc-image rule', () => {
    const rule = policy.rules[0]!;
    expect(rule.name).toBe('stale-hpc-builds');
    expect(rule.resource).toBe('ehpc-image');
    expect(rule.match.name?.map((g) => g.source)).toEqual(['hpc-build-*']);
    expect(rule.match.tags?.map((t) => [t.key, t.value.source])).toEqual([['team', 'hpc']]);
    expect(rule.match.status).toEqual(['Available', 'CreateFailed', 'UnAvailable']);
    expect(rule.match.osTag?.map((g) => g.source)).toEqual(['CentOS_*']);
    expect(rule.match.family?.map((g) => g.source)).toEqual(['hpc-*']);
    expect(rule.match.productType).toBeUndefined();
    expect(rule.keep).toEqual({ newest: 3, groupBy: { by: 'family' }, youngerThanMs: 30 * DAY });
    expect(rule.graceMs).toBe(7 * DAY);
    expect(rule.deleteSnapshots).toBe(false);
    expect(rule.written).toEqual({ youngerThan: '30d', grace: '7d' });
  });

  it('compiles globs that match anchored, * and ?', () => {
    const [name] = policy.rules[0]!.match.name!;
    expect(name!.test('hpc-build-2024-05-01')).toBe(true);
    expect(name!.test('hpc-build-')).toBe(true);
    expect(name!.test('my-hpc-build-1')).toBe(false);
    const [osTag] = policy.rules[0]!.match.osTag!;
    expect(osTag!.test('CentOS_7.9_64')).toBe(true);
    expect(osTag!.test('centos_7.9_64')).toBe(false); // match globs are case-sensitive
  });

  it('compiles the image-pipeline rule', () => {
    const rule = policy.rules[1]!;
    expect(rule).toMatchObject({ name: 'idle-pipelines', resource: 'image-pipeline' });
    expect(rule.match.name?.map((g) => g.source)).toEqual(['ci-*']);
    expect(rule.keep).toEqual({ groupBy: { by: 'none' }, activeWithinMs: 14 * DAY });
    expect(rule.graceMs).toBeUndefined();
    expect(rule.deleteSnapshots).toBeUndefined();
    expect(rule.written).toEqual({ activeWithin: '14d' });
  });

  it('returns the validated document with defaults, and the hash of the raw bytes', () => {
    if (!result.ok) throw new Error('not ok');
    const bytes = readFileSync(fixture('good/spec-example.yaml'));
    expect(result.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(result.document).toMatchObject({
      mode: 'dry-run',
      limits: { maxDeletionsPerRun: 20 },
      rules: [{ deleteSnapshots: false, keep: { groupBy: 'family' } }, { name: 'idle-pipelines' }],
    });
    expect(JSON.parse(JSON.stringify(result.document))).toEqual(result.document);
  });
});

describe('shipped policies', () => {
  const files = ['default.yaml', ...readdirSync(`${POLICIES}examples`).map((f) => `examples/${f}`)];

  it('include an example for every kind', () => {
    expect(files.sort()).toEqual(
      ['default.yaml', 'examples/ecs-image.yaml', 'examples/ehpc-image.yaml', 'examples/image-pipeline.yaml', 'examples/wuying-image.yaml'].sort(),
    );
  });

  for (const file of files) {
    it(`${file} loads cleanly and names the schema`, () => {
      const result = loadPolicyFile(`${POLICIES}${file}`);
      expect(result.ok ? [] : formatPolicyErrors(result.errors)).toEqual([]);
      const schema = file === 'default.yaml' ? './policy.schema.json' : '../policy.schema.json';
      expect(readFileSync(`${POLICIES}${file}`, 'utf8').split('\n')[0]).toBe(`# yaml-language-server: $schema=${schema}`);
    });
  }

  it('default.yaml is the conservative default', () => {
    const policy = policyOf(loadPolicyFile(`${POLICIES}default.yaml`));
    expect(policy.mode).toBe('dry-run');
    expect(policy.regions).toEqual(['cn-hangzhou']);
    expect(policy.limits).toMatchObject({ maxDeletionsPerRun: 20, maxDeletionPercent: 50 });
    for (const kind of ['ecs-image', 'ehpc-image'] as const) {
      const rule = policy.rules.find((r) => r.resource === kind)!;
      expect(rule.keep).toEqual({ newest: 5, groupBy: { by: 'family' }, youngerThanMs: 30 * DAY });
      expect(rule.graceMs).toBe(7 * DAY);
    }
    expect(policy.rules.find((r) => r.resource === 'image-pipeline')!.keep.activeWithinMs).toBe(30 * DAY);
  });

  it('the examples use every kind-specific feature somewhere', () => {
    const rules = files.flatMap((f) => policyOf(loadPolicyFile(`${POLICIES}${f}`)).rules);
    expect(rules.some((r) => r.match.osTag)).toBe(true);
    expect(rules.some((r) => r.match.productType)).toBe(true);
    expect(rules.some((r) => r.keep.groupBy.by === 'name')).toBe(true);
    expect(rules.some((r) => r.keep.groupBy.by === 'osTag')).toBe(true);
    expect(rules.some((r) => r.deleteSnapshots === true)).toBe(true);
  });
});

describe('loader plumbing', () => {
  const minimal = 'version: 1\nregions: [cn-hangzhou]\nrules:\n  - {name: a, resource: ecs-image, keep: {}}\n';

  it('accepts text or bytes, with the same hash', () => {
    const fromText = loadPolicy({ text: minimal, file: 'p.yaml' });
    const fromBytes = loadPolicy({ text: new TextEncoder().encode(minimal), file: 'p.yaml' });
    expect(fromText.ok && fromBytes.ok).toBe(true);
    if (fromText.ok && fromBytes.ok) expect(fromText.sha256).toBe(fromBytes.sha256);
  });

  it('accepts keep: {} (everything matched is a candidate)', () => {
    const rule = policyOf(loadPolicy({ text: minimal, file: 'p.yaml' })).rules[0]!;
    expect(rule.keep).toEqual({ groupBy: { by: 'none' } });
    expect(rule.match).toEqual({});
  });

  it('accepts a byte-order mark and CRLF line ends, and counts positions without them', () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(minimal.replace(/\n/g, '\r\n'))]);
    expect(loadPolicy({ text: bom, file: 'p.yaml' }).ok).toBe(true);
    const bad = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('version: 2\r\n')]);
    const result = loadPolicy({ text: bad, file: 'p.yaml' });
    expect(result.ok ? null : result.errors.find((e) => e.path === 'version')).toMatchObject({ line: 1, column: 10 });
  });

  it('reports a missing file as one error at 1:1', () => {
    const result = loadPolicyFile('/nonexistent/policy.yaml');
    expect(result).toEqual({
      ok: false,
      errors: [{ file: '/nonexistent/policy.yaml', line: 1, column: 1, path: '', message: 'cannot read the policy: no such file' }],
    });
  });

  it('reports a directory as one error at 1:1', () => {
    const result = loadPolicyFile(POLICIES);
    expect(result.ok ? [] : result.errors.map((e) => [e.line, e.column, e.message])).toEqual([
      [1, 1, 'cannot read the policy: it is not a regular file'],
    ]);
  });

  it('formats one error per line as file:line:column: path: message', () => {
    const text = 'version: 1\nmode: enforced\nregions: [cn-hangzhou]\nrules: []\n';
    const result = loadPolicy({ text, file: 'p.yaml' });
    expect(result.ok ? '' : formatPolicyErrors(result.errors)).toBe(
      [
        "p.yaml:2:7: mode: 'enforced' is not a mode; did you mean enforce? (write dry-run or enforce)",
        'p.yaml:4:8: rules: rules is empty: write at least one rule (a policy without rules decides nothing)',
      ].join('\n'),
    );
    expect(formatPolicyErrors([{ file: 'f', line: 1, column: 1, path: '', message: 'the policy is empty' }])).toBe(
      'f:1:1: the policy is empty',
    );
  });

  it('names tag keys that are not identifiers in brackets', () => {
    const text = 'version: 1\nregions: [cn-hangzhou]\nprotect: {tags: {"image-gc:keep": "yes["}}\nrules: [{name: a, resource: ecs-image, keep: {}}]\n';
    const result = loadPolicy({ text, file: 'p.yaml' });
    expect(result.ok ? [] : result.errors.map((e) => e.path)).toEqual(['protect.tags["image-gc:keep"]']);
  });

  it('treats numeric and boolean-looking tag keys as their text', () => {
    const text = 'version: 1\nregions: [cn-hangzhou]\nprotect: {tags: {2024: "*", true: "x"}}\nrules: [{name: a, resource: ecs-image, keep: {}}]\n';
    const policy = policyOf(loadPolicy({ text, file: 'p.yaml' }));
    expect(policy.protect.tags.map((t) => t.key)).toEqual(['image-gc:keep', '2024', 'true']);
  });

  it('allows anchors and aliases within the bound', () => {
    const text = [
      'version: 1',
      'regions: [cn-hangzhou]',
      'rules:',
      '  - {name: a, resource: ecs-image, match: {tags: &team {team: hpc}}, keep: &keep {newest: 2}}',
      '  - {name: b, resource: ehpc-image, match: {tags: *team}, keep: *keep}',
      '',
    ].join('\n');
    const policy = policyOf(loadPolicy({ text, file: 'p.yaml' }));
    expect(policy.rules[1]!.match.tags?.[0]?.key).toBe('team');
    expect(policy.rules[1]!.keep.newest).toBe(2);
  });

  it('points errors inside an aliased value at the anchored text', () => {
    const text = [
      'version: 1',
      'regions: [cn-hangzhou]',
      'x-defaults: &keep {newest: 0}',
      'rules:',
      '  - {name: a, resource: ecs-image, keep: *keep}',
      '',
    ].join('\n');
    const result = loadPolicy({ text, file: 'p.yaml' });
    expect(result.ok ? [] : result.errors.map((e) => [e.line, e.column, e.path])).toEqual([
      [3, 1, 'x-defaults'],
      [3, 28, 'rules[0].keep.newest'], // the value itself, inside the anchor
    ]);
  });
});
