/**
 * zod issues turned into findings an operator can act on. zod knows the schema; this module also
 * knows the document, so it can say "osTag applies only to ehpc-image rules; this rule is
 * ecs-image" where zod would say "unrecognized key", point an unknown key at the key itself and
 * a missing key at the mapping that should hold it, and pick the meaningful branch of a union.
 * Value-level messages (durations, globs, regions…) are written in schema.ts, next to the checks.
 */
import type { z } from 'zod';
import { RESOURCE_KINDS, type ResourceKind } from '../inventory/types.js';
import {
  GROUP_BY_BY_KIND,
  GROUP_BY_VALUES,
  WHY_ONLY,
  allowedKeys,
  kindsAllowing,
  listWords,
  ruleOfUnknownKindSchema,
  type KeyContext,
} from './schema.js';
import { closest, didYouMean } from './suggest.js';
import type { PathSegment } from './yaml-source.js';
import { isRecord } from '../inventory/fields.js';

type Issue = z.core.$ZodIssue;

/** A problem at a path: at its key, at its value, or at the mapping that lacks it. */
export interface Finding {
  readonly path: readonly PathSegment[];
  readonly at: 'key' | 'value' | 'parent';
  readonly message: string;
}


export function valueAt(document: unknown, path: readonly PathSegment[]): unknown {
  let v = document;
  for (const segment of path) {
    if (typeof segment === 'number' ? !Array.isArray(v) : !isRecord(v) || !Object.hasOwn(v, segment)) return undefined;
    v = (v as Record<PathSegment, unknown>)[segment];
  }
  return v;
}

function isMissing(document: unknown, path: readonly PathSegment[]): boolean {
  const parent = valueAt(document, path.slice(0, -1));
  const key = path[path.length - 1];
  return isRecord(parent) && typeof key === 'string' && !Object.hasOwn(parent, key);
}

function kindOfRule(document: unknown, index: PathSegment | undefined): ResourceKind | undefined {
  const kind = valueAt(document, ['rules', index ?? -1, 'resource']);
  return (RESOURCE_KINDS as readonly unknown[]).includes(kind) ? (kind as ResourceKind) : undefined;
}

/** What kind of object lives at `path`, for the keys it allows. */
function contextOf(path: readonly PathSegment[]): KeyContext | null {
  const [a, b, c, d] = path;
  if (path.length === 0) return 'top';
  if (path.length === 1 && (a === 'limits' || a === 'protect' || a === 'costs')) return a;
  if (a !== 'rules' || typeof b !== 'number') return null;
  if (path.length === 2) return 'rule';
  if (path.length === 3 && (c === 'match' || c === 'keep')) return c;
  if (path.length === 4 && c === 'keep' && d === 'groupBy') return 'groupBy';
  return null;
}

function unknownKeyMessage(parent: readonly PathSegment[], key: string, document: unknown): string {
  if (key === '<<') return 'YAML merge keys (<<) are not supported in a policy: write the keys out';
  const context = contextOf(parent);
  if (context === null) return `unknown key '${key}'`;
  const kind = context === 'top' ? undefined : kindOfRule(document, parent[1]);
  if (kind !== undefined && (context === 'rule' || context === 'match' || context === 'keep')) {
    const kinds = kindsAllowing(context, key);
    if (kinds.length > 0) {
      const why = WHY_ONLY[key];
      return `${key} applies only to ${listWords(kinds)} rules${why ? `, ${why}` : ''}; this rule is ${kind}`;
    }
  }
  const allowed = allowedKeys(context, kind);
  const guess = closest(key, allowed);
  if (guess !== null) return `unknown key '${key}'; did you mean ${guess}?`;
  return `unknown key '${key}' (allowed here: ${allowed.join(', ')})`;
}

const REQUIRED_HINTS: Readonly<Record<string, string>> = {
  version: 'write version: 1 at the top',
  regions: 'list the region IDs to collect in, e.g. regions: [cn-hangzhou]',
  rules: 'write at least one rule',
  name: 'every rule needs a unique name',
  resource: `write one of ${listWords(RESOURCE_KINDS, 'or')}`,
  keep:
    'write keep: {} to make everything this rule matches a candidate, or say what to keep (newest, youngerThan…)',
};

function missingKeyMessage(path: readonly PathSegment[]): string {
  const key = String(path[path.length - 1]);
  const context = contextOf(path.slice(0, -1));
  const hint =
    context === 'groupBy'
      ? 'the regex whose capture group names the group'
      : context === 'top' || context === 'rule'
        ? REQUIRED_HINTS[key]
        : undefined;
  return `${key} is required${hint ? `: ${hint}` : ''}`;
}

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'string') return `the text '${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'a list';
  return 'a mapping';
}

const EXPECTED_WORDS: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  array: 'a list',
  literal: 'a fixed value',
};

function typeMessage(path: readonly PathSegment[], expected: string, value: unknown): string {
  const key = path[path.length - 1];
  if (key === 'keep' && value === null) return `keep is empty; ${REQUIRED_HINTS.keep}`;
  if (expected === 'boolean' && typeof value === 'string' && /^(yes|no|on|off|y|n)$/i.test(value)) {
    return `expected true or false; '${value}' is text in YAML 1.2 (write true or false)`;
  }
  if (expected === 'string' && (typeof value === 'boolean' || typeof value === 'number')) {
    return `expected text, got ${describeValue(value)}; put it in quotes: "${String(value)}"`;
  }
  return `expected ${EXPECTED_WORDS[expected] ?? expected}, got ${describeValue(value)}`;
}

/** What a union at `path` accepts, for a value that fits none of its branches. */
function unionExpectation(path: readonly PathSegment[], document: unknown): string {
  const key = path[path.length - 1];
  if (key === 'groupBy') {
    const kind = kindOfRule(document, path[1]);
    const words: readonly string[] = kind === undefined ? GROUP_BY_VALUES : GROUP_BY_BY_KIND[kind];
    return listWords([...words, '{name: "<regex with one capture group>"}'], 'or');
  }
  if (key === 'status' || key === 'productType') return 'text or a list of texts';
  return 'a glob or a list of globs';
}

/** A union branch that failed because the value is of another type altogether. */
function branchMismatches(issues: readonly Issue[], value: unknown): boolean {
  return issues.some(
    (i) =>
      i.path.length === 0 &&
      (i.code === 'invalid_type' || (i.code === 'invalid_value' && i.values.every((v) => typeof v !== typeof value))),
  );
}

const toSegments = (path: readonly PropertyKey[]): PathSegment[] =>
  path.map((s) => (typeof s === 'number' ? s : String(s)));

function explainIssue(issue: Issue, document: unknown, prefix: readonly PathSegment[]): Finding[] {
  const path = [...prefix, ...toSegments(issue.path)];
  const value = valueAt(document, path);
  // zod reports a missing key under whatever check met `undefined` first (type, literal, enum).
  if (issue.code !== 'unrecognized_keys' && issue.code !== 'invalid_union' && isMissing(document, path)) {
    return [{ path, at: 'parent', message: missingKeyMessage(path) }];
  }
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: [...path, key], at: 'key', message: unknownKeyMessage(path, key, document) }));
    case 'invalid_type':
      return [{ path, at: 'value', message: typeMessage(path, issue.expected, value) }];
    case 'invalid_key':
      return issue.issues.map((inner) => ({ path, at: 'key', message: inner.message }));
    case 'invalid_union': {
      if (issue.discriminator !== undefined) return explainBadResource(path, document);
      const fitting = issue.errors.filter((branch) => !branchMismatches(branch, value));
      if (fitting.length === 1) return fitting[0]!.flatMap((inner) => explainIssue(inner, document, path));
      return [{ path, at: 'value', message: `expected ${unionExpectation(path, document)}, got ${describeValue(value)}` }];
    }
    default:
      return [{ path, at: 'value', message: issue.message }];
  }
}

/**
 * `resource` missing or not a kind: say so, and still check the rest of the rule against every
 * kind's keys, so that its other mistakes show up in the same run.
 */
function explainBadResource(resourcePath: readonly PathSegment[], document: unknown): Finding[] {
  const rulePath = resourcePath.slice(0, -1);
  const written = valueAt(document, resourcePath);
  const first: Finding =
    written === undefined
      ? { path: resourcePath, at: 'parent', message: missingKeyMessage(resourcePath) }
      : {
          path: resourcePath,
          at: 'value',
          message: `${describeValue(written)} is not a kind of resource${
            typeof written === 'string' ? didYouMean(written, RESOURCE_KINDS) : ''
          } (write ${listWords(RESOURCE_KINDS, 'or')})`,
        };
  const rest = ruleOfUnknownKindSchema.safeParse(valueAt(document, rulePath));
  const more = rest.success ? [] : rest.error.issues.flatMap((i) => explainIssue(i, document, rulePath));
  return [first, ...more];
}

export function explainIssues(issues: readonly Issue[], document: unknown): Finding[] {
  return issues.flatMap((issue) => explainIssue(issue, document, []));
}
