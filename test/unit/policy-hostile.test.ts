/**
 * Hostile input: loadPolicy must never throw and never hang, whatever it is given, and every
 * error it returns must be placeable (file, line ≥ 1, column ≥ 1, a path, a message).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { MAX_POLICY_BYTES, MAX_REPORTED_ERRORS, loadPolicy, type LoadResult } from '../../functions/policy/load.js';

const SPEC_EXAMPLE = readFileSync(fileURLToPath(new URL('../fixtures/policies/good/spec-example.yaml', import.meta.url)), 'utf8');
const DEFAULT = readFileSync(fileURLToPath(new URL('../../policies/default.yaml', import.meta.url)), 'utf8');
const SEEDS = [SPEC_EXAMPLE, DEFAULT];

/** The contract every result must meet. */
function expectWellFormed(result: LoadResult, file: string): void {
  if (result.ok) {
    expect(result.policy.rules.length).toBeGreaterThan(0);
    expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);
    return;
  }
  expect(result.errors.length).toBeGreaterThan(0);
  expect(result.errors.length).toBeLessThanOrEqual(MAX_REPORTED_ERRORS + 1);
  let previous = [0, 0];
  for (const e of result.errors) {
    expect(e.file).toBe(file);
    expect(Number.isInteger(e.line) && e.line >= 1).toBe(true);
    expect(Number.isInteger(e.column) && e.column >= 1).toBe(true);
    expect(typeof e.path).toBe('string');
    expect(typeof e.message === 'string' && e.message.length > 0).toBe(true);
    // An internal exception is turned into an error, but none should ever happen.
    expect(e.message).not.toContain('this is a bug in image-gc');
    expect(e.line > previous[0]! || (e.line === previous[0] && e.column >= previous[1]!)).toBe(true);
    previous = [e.line, e.column];
  }
}

function load(text: string | Uint8Array): LoadResult {
  const result = loadPolicy({ text, file: 'fuzz.yaml' });
  expectWellFormed(result, 'fuzz.yaml');
  return result;
}

const errorsOf = (result: LoadResult) => (result.ok ? [] : result.errors);

// ---------------------------------------------------------------------------------------------
// Mutations of valid policies

const SCALARS = ['[]', '{}', '0', '-1', '1.5', 'true', 'no', 'null', '~', '""', '"x"', '*a', '&a x', '!!binary aGk=', '- x', '{a: [b', '.inf', '0x1F', '|\n  text', '__proto__', '"\\u0000"'];

type LineMutation = (lines: string[]) => string[];

const lineMutation: fc.Arbitrary<LineMutation> = fc.oneof(
  fc.nat().map((i): LineMutation => (lines) => lines.filter((_, j) => j !== i % lines.length)),
  fc.nat().map((i): LineMutation => (lines) => lines.flatMap((l, j) => (j === i % lines.length ? [l, l] : [l]))),
  fc.tuple(fc.nat(), fc.string({ maxLength: 12 })).map(
    ([i, name]): LineMutation =>
      (lines) => lines.map((l, j) => (j === i % lines.length ? l.replace(/^(\s*-?\s*)[^:\s]+:/, `$1${name}:`) : l)),
  ),
  fc.tuple(fc.nat(), fc.constantFrom(...SCALARS)).map(
    ([i, scalar]): LineMutation =>
      (lines) => lines.map((l, j) => (j === i % lines.length ? l.replace(/:\s.*$/, `: ${scalar}`) : l)),
  ),
  fc.tuple(fc.nat(), fc.nat({ max: 8 })).map(
    ([i, n]): LineMutation =>
      (lines) => lines.map((l, j) => (j === i % lines.length ? ' '.repeat(n) + l.trimStart() : l)),
  ),
);

const mutatedText = fc
  .tuple(fc.constantFrom(...SEEDS), fc.array(lineMutation, { minLength: 1, maxLength: 4 }))
  .map(([seed, mutations]) => mutations.reduce((lines, m) => m(lines), seed.split('\n')).join('\n'));

const mutatedBytes = fc
  .tuple(
    fc.constantFrom(...SEEDS),
    fc.array(fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 6 })), { maxLength: 3 }),
    fc.option(fc.nat(), { nil: undefined }),
  )
  .map(([seed, inserts, cut]) => {
    let bytes = Array.from(new TextEncoder().encode(seed));
    for (const [at, junk] of inserts) bytes.splice(at % (bytes.length + 1), 0, ...junk);
    if (cut !== undefined) bytes = bytes.slice(0, cut % (bytes.length + 1));
    return new Uint8Array(bytes);
  });

/** Structured mutations: the document as data, changed, then written back as YAML. */
const anyValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -5, max: 100 }),
  fc.double(),
  fc.string({ maxLength: 10 }),
  fc.constantFrom('30d', 'x*', 'enforce', 'ecs-image', 'image-pipeline', 'family', 'osTag', 'cn-hangzhou', '__proto__'),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
);

function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return [at, ...value.flatMap((v, i) => paths(v, [...at, i]))];
  if (typeof value === 'object' && value !== null) return [at, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...at, k]))];
  return [at];
}

const structured = fc
  .tuple(fc.constantFrom(...SEEDS), fc.array(fc.tuple(fc.nat(), fc.constantFrom('set', 'delete', 'rename', 'copy'), anyValue, fc.string({ maxLength: 8 })), { minLength: 1, maxLength: 4 }))
  .map(([seed, edits]) => {
    const result = loadPolicy({ text: seed, file: 'seed' });
    const doc = structuredClone(result.ok ? result.document : {}) as Record<string, unknown>;
    for (const [pick, op, value, name] of edits) {
      const all = paths(doc).filter((p) => p.length > 0);
      const path = all[pick % all.length];
      if (!path) continue;
      const parent = path.slice(0, -1).reduce<any>((v, k) => v[k], doc);
      const key = path[path.length - 1]!;
      if (op === 'set') parent[key] = value;
      else if (op === 'delete') Array.isArray(parent) ? parent.splice(Number(key), 1) : delete parent[key];
      else if (op === 'rename' && !Array.isArray(parent)) {
        parent[name] = parent[key];
        delete parent[key];
      } else if (op === 'copy' && Array.isArray(parent)) parent.push(structuredClone(parent[Number(key)]));
    }
    return stringify(doc);
  });

describe('fuzzing', () => {
  it('never throws on mutated policies (lines deleted, duplicated, renamed, retyped, re-indented)', () => {
    fc.assert(fc.property(mutatedText, (text) => void load(text)), { numRuns: 400 });
  });

  it('never throws on random bytes inserted and truncation', () => {
    fc.assert(fc.property(mutatedBytes, (bytes) => void load(bytes)), { numRuns: 400 });
  });

  it('never throws on structurally mutated documents', () => {
    fc.assert(fc.property(structured, (text) => void load(text)), { numRuns: 300 });
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => void load(text)), { numRuns: 300 });
  });
});

// ---------------------------------------------------------------------------------------------
// Explicit attacks and odd inputs

describe('explicit hostile inputs', () => {
  it('refuses a "billion laughs" alias bomb quickly, at the alias that crossed the bound', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const errors = errorsOf(load(levels.join('\n')));
    expect(errors.filter((e) => /alias/.test(e.message))).toEqual([
      expect.objectContaining({ line: 4, column: 8, message: expect.stringContaining('more than 100 alias expansions') }),
    ]);
  });

  it('refuses wide alias expansion (few aliases, many nodes)', () => {
    const big = `[${Array.from({ length: 600 }, (_, i) => `x${i}`).join(',')}]`;
    const text = `version: 1\nregions: [cn-hangzhou]\nprotect: {ids: &ids ${big}}\nx: [*ids, *ids]\nrules: []\n`;
    const errors = errorsOf(load(text));
    expect(errors.some((e) => e.message.includes('alias bomb') && e.line === 4)).toBe(true);
  });

  it('refuses an alias that contains itself', () => {
    expect(errorsOf(load('a: &a [*a]\n')).some((e) => e.message.includes('refers to a node that contains it'))).toBe(true);
  });

  it('refuses a 10 MB file before parsing it', () => {
    const text = 'version: 1\n' + '#'.repeat(10 * 1024 * 1024);
    const started = Date.now();
    const errors = errorsOf(load(text));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(errors).toEqual([
      expect.objectContaining({ line: 1, column: 1, path: '', message: expect.stringContaining('limit is 1048576 bytes (1 MiB)') }),
    ]);
    expect(errorsOf(load(new Uint8Array(10 * 1024 * 1024)))[0]!.message).toContain('1 MiB');
  });

  it('accepts exactly 1 MiB and refuses one byte more', () => {
    const head = 'version: 1\nregions: [cn-hangzhou]\nrules: [{name: a, resource: ecs-image, keep: {}}]\n#';
    const exact = head + 'x'.repeat(MAX_POLICY_BYTES - head.length);
    expect(load(exact).ok).toBe(true);
    expect(errorsOf(load(`${exact}x`))[0]!.message).toContain('limit');
  });

  it.each([
    ['100k nested [', '['.repeat(100_000), 1, 65],
    ['100k nested {a:', '{a: '.repeat(100_000), 1, 257],
    ['100k nested - (block)', '- '.repeat(100_000), 1, 129],
    ['deep block mappings', Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}k:`).join('\n'), 65, 65],
  ])('refuses %s without overflowing the stack', (_, text, line, column) => {
    expect(errorsOf(load(text))).toEqual([
      expect.objectContaining({ line, column, message: expect.stringContaining('nested more than 64 levels deep') }),
    ]);
  });

  it('reports the line and column of the first byte that is not UTF-8', () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('version: 1\nregions: [cn-hangzhou, "é'), 0xff, 0x22, 0x5d]);
    expect(errorsOf(load(bytes))).toEqual([
      { file: 'fuzz.yaml', line: 2, column: 26, path: '', message: expect.stringContaining('not UTF-8: byte 0xff') },
    ]);
    // Overlong encodings and surrogates are not UTF-8 either.
    expect(errorsOf(load(new Uint8Array([0x61, 0xc0, 0xaf])))[0]).toMatchObject({ line: 1, column: 2 });
    expect(errorsOf(load(new Uint8Array([0x0a, 0xed, 0xa0, 0x80])))[0]).toMatchObject({ line: 2, column: 1 });
  });

  it.each([
    ['a list', '- version: 1\n', 'not a list'],
    ['a scalar', '42\n', 'not a single value (number)'],
    ['an empty file', '', 'the policy is empty'],
    ['only whitespace', '   \n\n', 'the policy is empty'],
    ['a null document', '~\n', 'the policy is empty'],
    ['several documents', 'version: 1\n---\nversion: 1\n---\n', 'holds one YAML document'],
  ])('refuses %s with a clear message', (_, text, message) => {
    const errors = errorsOf(load(text));
    expect(errors.length).toBe(1);
    expect(errors[0]!.message).toContain(message);
  });

  it('refuses directives and custom tags, so nothing can switch to YAML 1.1', () => {
    const errors = errorsOf(load('%YAML 1.1\n---\nversion: 1\nmode: !enforce x\nregions: !!set {cn-hangzhou}\nrules: []\n'));
    const messages = errors.map((e) => e.message).join('\n');
    expect(messages).toContain('YAML directives (%YAML, %TAG) are not allowed');
    expect(messages).toContain('!enforce');
    expect(messages).toContain('the tag !!set is not allowed');
  });

  it('treats __proto__ and constructor as ordinary unknown keys', () => {
    const text = 'version: 1\n__proto__: {polluted: true}\nconstructor: x\nregions: [cn-hangzhou]\nrules: [{name: a, resource: ecs-image, keep: {}, __proto__: {grace: 1d}}]\n';
    const errors = errorsOf(load(text));
    expect(errors.map((e) => e.path)).toEqual(['__proto__', 'constructor', 'rules[0].__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses non-text keys and empty keys', () => {
    const errors = errorsOf(load('version: 1\n? [a, b]\n: x\n: y\nregions: [cn-hangzhou]\nrules: []\n'));
    expect(errors.map((e) => e.message)).toEqual(
      expect.arrayContaining([expect.stringContaining('a key must be plain text'), expect.stringContaining('a key cannot be empty')]),
    );
  });

  it('caps a garbage file at a readable number of errors', () => {
    const text = Array.from({ length: 5000 }, (_, i) => `k${i}: v`).join('\n');
    const errors = errorsOf(load(text));
    expect(errors.length).toBe(MAX_REPORTED_ERRORS + 1);
    expect(errors[MAX_REPORTED_ERRORS]!.message).toMatch(/^and \d+ more errors/);
  });

  it('survives inputs a JavaScript caller might pass by mistake', () => {
    for (const text of [undefined, null, 42, {}, []] as unknown[]) {
      const result = loadPolicy({ text: text as string, file: 'x' });
      expect(result.ok).toBe(false);
    }
    expect(loadPolicy(undefined as never).ok).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Added for issue #7: files that are hostile as files (the text-level list above is complete).

describe('hostile policy files', () => {
  it('refuses what is not a regular file without reading it (a device that never ends, a directory)', async () => {
    const { loadPolicyFile } = await import('../../functions/policy/load.js');
    const started = Date.now();
    for (const path of ['/dev/zero', '/dev/urandom', fileURLToPath(new URL('.', import.meta.url))]) {
      const result = loadPolicyFile(path);
      expect(result.ok).toBe(false);
      expect(errorsOf(result)[0]).toMatchObject({ line: 1, column: 1, message: expect.stringContaining('not a regular file') });
    }
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses a policy saved as UTF-16 (a Windows editor default) at its first byte', () => {
    const text = 'version: 1\nregions: [cn-hangzhou]\nrules: [{name: a, resource: ecs-image, keep: {}}]\n';
    expect(errorsOf(load(Buffer.from(`\ufeff${text}`, 'utf16le')))[0]).toMatchObject({ line: 1, column: 1, message: expect.stringContaining('not UTF-8') });
    // A UTF-8 byte-order mark is harmless and accepted.
    expect(load(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)])).ok).toBe(true);
  });
});
