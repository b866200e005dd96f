/**
 * The zod schema is the one source of truth: the published JSON Schema must be what it
 * generates now, must explain every property to editors, and its patterns must agree with the
 * duration and glob grammars the loader enforces.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RESOURCE_KINDS, TAGGABLE_KINDS } from '../../functions/inventory/types.js';
import { durationProblem } from '../../functions/policy/duration.js';
import { globProblem } from '../../functions/policy/glob.js';
import {
  DURATION_PATTERN,
  GLOB_PATTERN,
  allowedKeys,
  kindsAllowing,
  policyJsonSchema,
  policyJsonSchemaText,
} from '../../functions/policy/schema.js';

const SCHEMA_FILE = fileURLToPath(new URL('../../policies/policy.schema.json', import.meta.url));

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every subschema, with a JSON-pointer-ish location. */
function* subschemas(node: unknown, at = '#'): Generator<[string, Json]> {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) yield* subschemas(item, `${at}/${i}`);
    return;
  }
  if (!isObject(node)) return;
  yield [at, node];
  for (const [key, value] of Object.entries(node)) {
    if (key === 'enum' || key === 'const' || key === 'default' || key === 'required') continue;
    yield* subschemas(value, `${at}/${key}`);
  }
}

describe('policies/policy.schema.json', () => {
  it('is what scripts/gen-schema.ts generates from the zod schema now (run it after changing schema.ts)', () => {
    const onDisk = readFileSync(SCHEMA_FILE, 'utf8');
    expect(JSON.parse(onDisk)).toEqual(policyJsonSchema());
    expect(onDisk).toBe(policyJsonSchemaText());
  });

  const schema = policyJsonSchema();

  it('names its draft and has a title and description', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.title).toBe('image-gc retention policy');
    expect(typeof schema.description).toBe('string');
  });

  it('describes every property, for editor hovers', () => {
    const undescribed: string[] = [];
    for (const [at, node] of subschemas(schema)) {
      if (!isObject(node.properties)) continue;
      for (const [key, property] of Object.entries(node.properties)) {
        if (!isObject(property) || typeof property.description !== 'string' || property.description === '') {
          undescribed.push(`${at}/properties/${key}`);
        }
      }
    }
    expect(undescribed).toEqual([]);
  });

  it('forbids unknown keys in every object (maps of tags excepted: their keys are free)', () => {
    const open: string[] = [];
    for (const [at, node] of subschemas(schema)) {
      if (node.type !== 'object') continue;
      const isMap = isObject(node.additionalProperties) && node.properties === undefined;
      if (!isMap && node.additionalProperties !== false) open.push(at);
    }
    expect(open).toEqual([]);
  });

  it('makes rules a union on resource, one variant per kind', () => {
    const rules = (schema.properties as Json).rules as Json;
    const variants = (rules.items as Json).oneOf as Json[];
    expect(variants.map((v) => ((v.properties as Json).resource as Json).const)).toEqual([...RESOURCE_KINDS]);
  });
});

describe('schema knowledge', () => {
  it('patterns agree with duration.ts and glob.ts', () => {
    const durationish = fc.stringMatching(/^[0-9a-z ]{0,9}$/);
    fc.assert(
      fc.property(fc.oneof(durationish, fc.string()), (s) => {
        expect(DURATION_PATTERN.test(s)).toBe(durationProblem(s) === null);
      }),
      { numRuns: 2000 },
    );
    const globish = fc.stringMatching(/^[-a-z*?[\]{}\\. ]{0,8}$/);
    fc.assert(
      fc.property(fc.oneof(globish, fc.string()), (s) => {
        expect(GLOB_PATTERN.test(s)).toBe(globProblem(s) === null);
      }),
      { numRuns: 2000 },
    );
  });

  it('allows grace exactly on the kinds that can be tagged', () => {
    expect([...kindsAllowing('rule', 'grace')].sort()).toEqual([...TAGGABLE_KINDS].sort());
  });

  it('knows which kinds allow each condition', () => {
    expect(kindsAllowing('match', 'osTag')).toEqual(['ehpc-image']);
    expect(kindsAllowing('match', 'family')).toEqual(['ehpc-image', 'ecs-image']);
    expect(kindsAllowing('match', 'productType')).toEqual(['wuying-image']);
    expect(kindsAllowing('keep', 'activeWithin')).toEqual(['image-pipeline']);
    expect(kindsAllowing('rule', 'deleteSnapshots')).toEqual(['ehpc-image', 'ecs-image']);
    expect(kindsAllowing('match', 'status')).toEqual(['ehpc-image', 'ecs-image', 'wuying-image']);
    expect(kindsAllowing('match', 'name')).toEqual([...RESOURCE_KINDS]);
    expect(kindsAllowing('match', 'tags')).toEqual([...RESOURCE_KINDS]);
    expect(allowedKeys('top')).toEqual(['version', 'mode', 'regions', 'limits', 'protect', 'rules', 'costs']);
  });
});
