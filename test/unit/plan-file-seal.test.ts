/**
 * The plan file's checksum: canonical serialisation, plain SHA-256 and keyed HMAC, and what
 * reading a file refuses (tampered, wrong key, stripped signature, not a plan, wrong version).
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalJson, NotCanonical } from '../../functions/plan-file/canonical.js';
import { parsePlanFile, PlanRefused } from '../../functions/plan-file/read.js';
import { checksumBody, checksumProblem, computeChecksum, planKeyFrom, seal } from '../../functions/plan-file/seal.js';
import { samplePlanFile } from './plan-file-sample.js';

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('is the same for any key order and indentation of the same data', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const reparsed = JSON.parse(JSON.stringify(value, null, 3)) as unknown;
        expect(canonicalJson(reparsed)).toBe(canonicalJson(value));
      }),
    );
  });

  it('leaves out undefined keys as JSON does, and writes -0 as 0', () => {
    expect(canonicalJson({ a: undefined, b: -0 })).toBe('{"b":0}');
  });

  it('refuses what JSON cannot say exactly', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(NotCanonical);
    expect(() => canonicalJson({ a: Infinity })).toThrow(NotCanonical);
    expect(() => canonicalJson({ a: new Date(0) })).toThrow(NotCanonical);
    expect(() => canonicalJson({ a: 1n })).toThrow(NotCanonical);
  });

  it('escapes strings as JSON does, so no two values serialise alike', () => {
    expect(canonicalJson({ 'a"b': 'c\nd\u2028' })).toBe('{"a\\"b":"c\\nd\u2028"}');
  });
});

describe('checksum', () => {
  it('is SHA-256 of the canonical body without the checksum field', () => {
    const file = { x: 1, a: [true], checksum: { algorithm: 'sha256', value: 'ignored' } };
    const expected = createHash('sha256').update('{"a":[true],"x":1}').digest('hex');
    expect(checksumBody(file)).toBe('{"a":[true],"x":1}');
    expect(computeChecksum(file, null)).toEqual({ algorithm: 'sha256', value: expected });
  });

  it('is HMAC-SHA256 with the key when one is set', () => {
    const expected = createHmac('sha256', 'k3y').update('{"x":1}').digest('hex');
    expect(computeChecksum({ x: 1 }, 'k3y')).toEqual({ algorithm: 'hmac-sha256', value: expected });
  });

  it('holds after sealing, and for the pretty-printed file read back', () => {
    for (const key of [null, 'secret']) {
      const sealed = seal({ b: 2, a: 'x' }, key);
      expect(checksumProblem(sealed, key)).toBeNull();
      expect(checksumProblem(JSON.parse(JSON.stringify(sealed, null, 2)) as Record<string, unknown>, key)).toBeNull();
    }
  });

  it('catches any change to any value', () => {
    const sealed = seal(samplePlanFile() as unknown as Record<string, unknown>, null);
    const changes: Array<(f: Record<string, any>) => void> = [
      (f) => (f.items[0].id = 'm-other'),
      (f) => (f.items[1].decision = 'delete'),
      (f) => (f.expiresAt = '2099-01-01T00:00:00.000Z'),
      (f) => (f.account.accountId = '999'),
      (f) => (f.policy.sha256 = 'f'.repeat(64)),
      (f) => (f.items.find((i: { decision: string }) => i.decision === 'delete').facts.tags['image-gc:keep'] = 'false'),
      (f) => f.items.push(structuredClone(f.items[0])),
      (f) => (f.extra = true),
    ];
    for (const change of changes) {
      const copy = structuredClone(sealed) as Record<string, any>;
      change(copy);
      expect(checksumProblem(copy, null)).toMatch(/changed after it was made/);
    }
  });

  it('with a key: another key, no key, and a stripped signature are all refused', () => {
    const signed = seal({ a: 1 }, 'right');
    expect(checksumProblem(signed, 'wrong')).toMatch(/another key/);
    expect(checksumProblem(signed, null)).toMatch(/IMAGE_GC_PLAN_KEY is not set/);
    // A forger without the key writes a plain hash: refused while a key is set.
    expect(checksumProblem(seal({ a: 2 }, null), 'right')).toMatch(/only a plain sha256/);
  });

  it('refuses a missing or malformed checksum', () => {
    expect(checksumProblem({ a: 1 }, null)).toMatch(/no checksum/);
    expect(checksumProblem({ a: 1, checksum: { algorithm: 'md5', value: '0'.repeat(64) } }, null)).toMatch(/not one of/);
    expect(checksumProblem({ a: 1, checksum: { algorithm: 'sha256', value: 'xyz' } }, null)).toMatch(/64 hex/);
  });

  it('IMAGE_GC_PLAN_KEY: set and non-empty is a key', () => {
    expect(planKeyFrom({})).toBeNull();
    expect(planKeyFrom({ IMAGE_GC_PLAN_KEY: '' })).toBeNull();
    expect(planKeyFrom({ IMAGE_GC_PLAN_KEY: 'k' })).toBe('k');
  });
});

describe('reading a plan file', () => {
  const text = (f: unknown) => JSON.stringify(f, null, 2);
  const refusal = (fn: () => unknown): PlanRefused => {
    try {
      fn();
    } catch (e) {
      if (e instanceof PlanRefused) return e;
      throw e;
    }
    throw new Error('not refused');
  };

  it('reads back what was sealed', () => {
    const sealed = seal(samplePlanFile() as unknown as Record<string, unknown>, null);
    const read = parsePlanFile(text(sealed), 'p.json', null);
    expect(read.items.map((i) => i.id)).toEqual(samplePlanFile().items.map((i) => i.id));
  });

  it('refuses what is not JSON, not a plan, or another format version', () => {
    expect(refusal(() => parsePlanFile('{', 'p.json', null)).reason).toBe('malformed');
    expect(refusal(() => parsePlanFile('[]', 'p.json', null)).message).toMatch(/not an image-gc plan file/);
    expect(refusal(() => parsePlanFile(text({ ...samplePlanFile(), formatVersion: 2 }), 'p.json', null)).message).toMatch(/format version 2/);
  });

  it('refuses a tampered file as tampered, before looking at its structure', () => {
    const sealed = seal(samplePlanFile() as unknown as Record<string, unknown>, null) as Record<string, any>;
    sealed.items[0].decision = 'nonsense';
    expect(refusal(() => parsePlanFile(text(sealed), 'p.json', null)).reason).toBe('tampered');
  });

  it('refuses a correctly sealed file that is not a valid plan (made by hand)', () => {
    const bad = samplePlanFile() as unknown as Record<string, any>;
    delete bad.items.find((i: { decision: string }) => i.decision === 'delete').facts;
    const e = refusal(() => parsePlanFile(text(seal(bad, null)), 'p.json', null));
    expect(e.reason).toBe('malformed');
    expect(e.message).toMatch(/must carry the facts/);
    const dup = samplePlanFile() as unknown as Record<string, any>;
    dup.items.push(structuredClone(dup.items[0]));
    expect(refusal(() => parsePlanFile(text(seal(dup, null)), 'p.json', null)).message).toMatch(/appears twice/);
    const unknownKey = samplePlanFile() as unknown as Record<string, any>;
    unknownKey.items[0].force = true;
    expect(refusal(() => parsePlanFile(text(seal(unknownKey, null)), 'p.json', null)).reason).toBe('malformed');
  });
});
