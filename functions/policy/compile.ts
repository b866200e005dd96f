/**
 * A validated policy document (schema.ts) into the shape the planner uses (types.ts): durations
 * in milliseconds, globs compiled, lists where the document allowed one-or-many, defaults filled,
 * and the built-in protection added. Pure; expects a document that passed policySchema.
 */
import { parseDuration } from './duration.js';
import { compileGlob, type Glob } from './glob.js';
import type { PolicyDocument, RuleDocument } from './schema.js';
import {
  BUILTIN_KEEP_TAG,
  DEFAULT_COSTS,
  type Costs,
  type GroupBy,
  type Keep,
  type Match,
  type Policy,
  type Rule,
  type TagCondition,
} from './types.js';

type OneOrMany = string | readonly string[];

const list = (v: OneOrMany): string[] => (typeof v === 'string' ? [v] : [...v]);
const globs = (v: OneOrMany): Glob[] => list(v).map((g) => compileGlob(g));

/** Reads a field that only some kinds' rule parts have. */
function field<T>(part: object | undefined, key: string): T | undefined {
  return part !== undefined && Object.hasOwn(part, key) ? ((part as Record<string, unknown>)[key] as T) : undefined;
}

function tagConditions(tags: Readonly<Record<string, string>>, ignoreCase: boolean): TagCondition[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value: compileGlob(value, { ignoreCase }) }));
}

function compileMatch(rule: RuleDocument): Match {
  const m = rule.match;
  const out: { -readonly [K in keyof Match]: Match[K] } = {};
  if (m === undefined) return out;
  if (m.name !== undefined) out.name = globs(m.name);
  if (m.tags !== undefined) out.tags = tagConditions(m.tags, false);
  const status = field<OneOrMany>(m, 'status');
  if (status !== undefined) out.status = list(status);
  const osTag = field<OneOrMany>(m, 'osTag');
  if (osTag !== undefined) out.osTag = globs(osTag);
  const family = field<OneOrMany>(m, 'family');
  if (family !== undefined) out.family = globs(family);
  const productType = field<OneOrMany>(m, 'productType');
  if (productType !== undefined) out.productType = list(productType);
  return out;
}

function compileGroupBy(groupBy: string | { name: string } | undefined): GroupBy {
  if (groupBy === undefined || groupBy === 'none') return { by: 'none' };
  if (groupBy === 'family' || groupBy === 'osTag') return { by: groupBy };
  if (typeof groupBy === 'object') return { by: 'name', pattern: new RegExp(groupBy.name, 'u'), source: groupBy.name };
  throw new Error(`groupBy ${String(groupBy)} passed validation but has no meaning`);
}

function compileKeep(rule: RuleDocument): Keep {
  const k = rule.keep;
  const activeWithin = field<string>(k, 'activeWithin');
  return {
    groupBy: compileGroupBy(k.groupBy),
    ...(k.newest !== undefined && { newest: k.newest }),
    ...(k.youngerThan !== undefined && { youngerThanMs: parseDuration(k.youngerThan) }),
    ...(activeWithin !== undefined && { activeWithinMs: parseDuration(activeWithin) }),
  };
}

function compileRule(rule: RuleDocument): Rule {
  const grace = field<string>(rule, 'grace');
  const deleteSnapshots = field<boolean>(rule, 'deleteSnapshots');
  const youngerThan = rule.keep.youngerThan;
  const activeWithin = field<string>(rule.keep, 'activeWithin');
  return {
    name: rule.name,
    resource: rule.resource,
    match: compileMatch(rule),
    keep: compileKeep(rule),
    ...(grace !== undefined && { graceMs: parseDuration(grace) }),
    ...(deleteSnapshots !== undefined && { deleteSnapshots }),
    written: {
      ...(youngerThan !== undefined && { youngerThan }),
      ...(activeWithin !== undefined && { activeWithin }),
      ...(grace !== undefined && { grace }),
    },
  };
}

/**
 * The protections: the built-in image-gc:keep=true first, then the document's pairs (a pair
 * equal to the built-in one is not repeated). Values compare case-insensitively: protection
 * errs on the side of protecting.
 */
function compileProtectTags(tags: Readonly<Record<string, string>> | undefined): TagCondition[] {
  const builtin = { key: BUILTIN_KEEP_TAG.key, value: compileGlob(BUILTIN_KEEP_TAG.value, { ignoreCase: true }) };
  const written = tagConditions(tags ?? {}, true).filter(
    (t) => !(t.key === BUILTIN_KEEP_TAG.key && t.value.source.toLowerCase() === BUILTIN_KEEP_TAG.value),
  );
  return [builtin, ...written];
}

export function compilePolicy(document: PolicyDocument): Policy {
  return {
    version: document.version,
    mode: document.mode,
    regions: [...document.regions],
    limits: { ...document.limits },
    protect: {
      tags: compileProtectTags(document.protect?.tags),
      ids: [...new Set(document.protect?.ids ?? [])],
    },
    rules: document.rules.map(compileRule),
    costs: compileCosts(document.costs),
  };
}

function compileCosts(costs: PolicyDocument['costs']): Costs {
  if (costs === undefined) return DEFAULT_COSTS;
  return { snapshotPricePerGiBMonth: costs.snapshotPricePerGiBMonth, currency: costs.currency, source: 'policy' };
}
