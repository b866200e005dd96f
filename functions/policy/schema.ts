/**
 * The policy document as written in YAML, in zod. This is the one source of truth for runtime
 * validation, the TypeScript type of the raw document and policies/policy.schema.json (generated
 * by scripts/gen-schema.ts through policyJsonSchema(); never edit the JSON by hand).
 *
 * Every object is strict: an unknown key is an error, because a misspelled `keep` must never
 * turn into "keep nothing". Rules are a discriminated union on `resource`, so each kind accepts
 * only the conditions that mean something for it. Messages for value problems live here, next to
 * the check; messages for structural problems (unknown or missing keys, wrong types) are written
 * in issues.ts, which knows the whole document. Meaning of every field: shared/spec/policy.md.
 */
// A namespace import lets the bundler keep only the zod parts used (~90 kB, not ~450 kB).
import * as z from 'zod';
import { RESOURCE_KINDS, type ResourceKind } from '../inventory/types.js';
import { durationProblem } from './duration.js';
import { globProblem } from './glob.js';
import { REGION_IDS, regionProblem } from './regions.js';
import { didYouMean } from './suggest.js';
import { DEFAULT_LIMITS } from './types.js';

/** duration.ts's grammar, spelled out for the JSON Schema; a test checks the two agree. */
export const DURATION_PATTERN = /^[1-9][0-9]{0,5}[hdw]$/;
/** glob.ts's grammar (no brackets, braces or backslashes), for the JSON Schema; tested to agree. */
export const GLOB_PATTERN = /^[^[\]{}\\]+$/;
export const RULE_NAME_PATTERN = /^[a-z0-9-]+$/;
/** Exact resource IDs (m-…, imgc-…, ip-…): no globs, no spaces, so a typo cannot silently protect nothing. */
export const RESOURCE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

export const MODES = ['dry-run', 'enforce'] as const;
export const GROUP_BY_VALUES = ['none', 'family', 'osTag'] as const;
export type GroupByValue = (typeof GROUP_BY_VALUES)[number];

/** The groupBy words each kind accepts: family needs an ImageFamily, osTag an E-HPC OsTag. */
export const GROUP_BY_BY_KIND = {
  'ehpc-image': ['none', 'family', 'osTag'],
  'ecs-image': ['none', 'family'],
  'wuying-image': ['none'],
  'image-pipeline': ['none'],
} as const satisfies Record<ResourceKind, readonly [GroupByValue, ...GroupByValue[]]>;

const input = (iss: { input?: unknown }): string => (typeof iss.input === 'string' ? iss.input : String(iss.input));

/** "a", "a and b", "a, b and c" (or "a, b or c"). */
export function listWords(words: readonly string[], conjunction: 'and' | 'or' = 'and'): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} ${conjunction} ${words[words.length - 1]}`;
}

/** Why `source` cannot be a groupBy name pattern, or null. */
export function groupRegexProblem(source: string): string | null {
  try {
    // Compiled with the u flag, as compile.ts does: stricter escapes catch more mistakes.
    new RegExp(source, 'u');
  } catch (e) {
    return `not a regular expression: ${(e as Error).message}`;
  }
  // An alternative that matches the empty string makes exec report every group, matched or not.
  const groups = new RegExp(`${source}|`, 'u').exec('')!.length - 1;
  if (groups === 1) return null;
  return `the regex has ${groups} capture groups; it needs exactly one, the part of the name that names the group (write (?:…) for the others)`;
}

// ---------------------------------------------------------------------------------------------
// Scalars

function glob(description: string) {
  return z
    .string()
    .max(256, 'a glob is at most 256 characters')
    .regex(GLOB_PATTERN, { error: (iss) => globProblem(input(iss)) ?? 'not a glob' })
    .describe(description);
}

function globOrList(description: string) {
  return z
    .union([
      glob(description),
      z.array(glob(description)).min(1, 'an empty list matches nothing: list at least one glob, or leave the condition out'),
    ])
    .describe(description);
}

function textOrList(description: string) {
  const one = z.string().min(1, 'cannot be empty').max(256, 'at most 256 characters').describe(description);
  return z
    .union([one, z.array(one).min(1, 'an empty list matches nothing: list at least one value, or leave the condition out')])
    .describe(description);
}

function duration(description: string) {
  return z
    .string()
    .regex(DURATION_PATTERN, { error: (iss) => durationProblem(input(iss)) ?? 'not a duration' })
    .describe(description);
}

const tagKey = z
  .string()
  .min(1, 'a tag key cannot be empty')
  .max(128, 'a tag key is at most 128 characters')
  // A plain object cannot hold this key safely (it would set the prototype and vanish).
  .refine((k) => k !== '__proto__', 'this tag key is reserved');

function tagMap(description: string, valueDescription: string) {
  return z.record(tagKey, glob(valueDescription)).describe(description);
}

const region = z
  .enum(REGION_IDS as [string, ...string[]], {
    error: (iss) =>
      typeof iss.input === 'string'
        ? (regionProblem(iss.input) ?? 'not a region ID')
        : 'a region ID is text such as cn-hangzhou',
  })
  .describe('An Alibaba Cloud region ID, such as cn-hangzhou (not a zone such as cn-hangzhou-h).');

const ruleName = z
  .string()
  .min(1, 'a rule name cannot be empty')
  .max(63, 'a rule name is at most 63 characters')
  .regex(RULE_NAME_PATTERN, 'a rule name is lowercase letters, digits and dashes only (a-z, 0-9, -)')
  .describe('Unique name of the rule, [a-z0-9-]+, at most 63 characters. Named in every log line about what the rule decided.');

// ---------------------------------------------------------------------------------------------
// Rules

function groupByProblem(value: unknown, kind: ResourceKind): string {
  const allowed: readonly GroupByValue[] = GROUP_BY_BY_KIND[kind];
  const written = String(value);
  if ((GROUP_BY_VALUES as readonly unknown[]).includes(value)) {
    const kinds = RESOURCE_KINDS.filter((k) => (GROUP_BY_BY_KIND[k] as readonly unknown[]).includes(value));
    return `groupBy ${written} applies only to ${listWords(kinds)} rules; this rule is ${kind}`;
  }
  const guess = typeof value === 'string' ? didYouMean(value, allowed) : '';
  return `'${written}' is not a way to group${guess} (write ${listWords([...allowed, '{name: "<regex with one capture group>"}'], 'or')})`;
}

function groupBy<K extends ResourceKind>(kind: K) {
  const allowed: (typeof GROUP_BY_BY_KIND)[K] = GROUP_BY_BY_KIND[kind];
  const words: readonly GroupByValue[] = allowed;
  const byName = z
    .strictObject({
      name: z
        .string()
        .min(1, 'the regex cannot be empty')
        .max(512, 'the regex is at most 512 characters')
        .refine((s) => groupRegexProblem(s) === null, { error: (iss) => groupRegexProblem(input(iss)) ?? 'bad regex' })
        .describe('A JavaScript regular expression (u flag, not anchored) with exactly one capture group; the captured part of the image name is the group.'),
    })
    .describe('Group by part of the name: the text captured by the regex.');
  const byWord = z
    .enum(allowed, { error: (iss) => groupByProblem(iss.input, kind) })
    .describe(`${listWords(words, 'or')}: one group for all (none)${words.includes('family') ? ', one per ImageFamily (family)' : ''}${words.includes('osTag') ? ', one per E-HPC OsTag (osTag)' : ''}.`);
  return z
    .union([byWord, byName])
    .optional()
    .describe(`How newest counts: per group. ${listWords([...words, '{name: regex}'], 'or')}; default none.`);
}

const MATCH_DESCRIPTION =
  'Which items the rule is about: every condition given must hold. Leave match out to match everything of this kind.';
const KEEP_DESCRIPTION =
  'What survives among the matched items; the rest are candidates. Required: write keep: {} to make everything the rule matches a candidate.';

const matchCommon = {
  name: globOrList('Glob or list of globs on the name (* and ?, anchored); any may match.').optional(),
  tags: tagMap(
    'Tags the item must carry: each key present, its value matching the glob (case-sensitive).',
    'Glob on the tag value (* and ?, anchored, case-sensitive).',
  ).optional(),
};
// Images only: a pipeline has no status of its own (its executions do), so on a pipeline rule a
// status condition could never hold; it is refused rather than silently matching nothing.
const status = textOrList('Images only: status or list of statuses as the API spells them (Available, CreateFailed, …); compared case-insensitively; any may match.').optional();
const osTag = globOrList('ehpc-image only: glob or list of globs on the E-HPC OsTag (e.g. CentOS_*).').optional();
const family = globOrList('ecs-image and ehpc-image only: glob or list of globs on the ECS ImageFamily.').optional();
const productType = textOrList('wuying-image only: WUYING ProductType (CloudDesktop, CloudApp, WuyingServer); compared case-insensitively; any may match.').optional();

const newest = z
  .int()
  .min(1, 'newest: 0 would keep nothing by count; write at least 1, or leave newest out')
  .optional()
  .describe('Keep the N newest of each group, by creation time, ties broken by ID. At least 1.');
const youngerThan = duration('Keep anything created less than this long ago: a whole number and h, d or w (12h, 30d, 4w).').optional();
const activeWithin = duration('image-pipeline only: keep a pipeline with an execution created or modified this recently (or created itself this recently).').optional();
const grace = duration('ecs-image and ehpc-image only: tag a candidate image-gc:marked-at first and delete it only once marked this long and still a candidate.').optional();
const deleteSnapshots = z
  .boolean()
  .default(false)
  .describe('ecs-image and ehpc-image only: after deleting the image, delete the snapshots behind it. Default false.');

function resource<K extends ResourceKind>(kind: K) {
  return z.literal(kind).describe('The kind of resource this rule is about: ehpc-image, ecs-image, wuying-image or image-pipeline.');
}

const ehpcImageRule = z
  .strictObject({
    name: ruleName,
    resource: resource('ehpc-image'),
    match: z.strictObject({ ...matchCommon, status, osTag, family }).optional().describe(MATCH_DESCRIPTION),
    keep: z.strictObject({ newest, groupBy: groupBy('ehpc-image'), youngerThan }).describe(KEEP_DESCRIPTION),
    grace,
    deleteSnapshots,
  })
  .describe('A rule for E-HPC custom images (listed by E-HPC ListCustomImages, joined to ECS DescribeImages).');

const ecsImageRule = z
  .strictObject({
    name: ruleName,
    resource: resource('ecs-image'),
    match: z.strictObject({ ...matchCommon, status, family }).optional().describe(MATCH_DESCRIPTION),
    keep: z.strictObject({ newest, groupBy: groupBy('ecs-image'), youngerThan }).describe(KEEP_DESCRIPTION),
    grace,
    deleteSnapshots,
  })
  .describe('A rule for ECS custom images (ImageOwnerAlias self).');

const wuyingImageRule = z
  .strictObject({
    name: ruleName,
    resource: resource('wuying-image'),
    match: z.strictObject({ ...matchCommon, status, productType }).optional().describe(MATCH_DESCRIPTION),
    keep: z.strictObject({ newest, groupBy: groupBy('wuying-image'), youngerThan }).describe(KEEP_DESCRIPTION),
  })
  .describe('A rule for WUYING (appstream-center) user images. Images are global: listed once per endpoint.');

const imagePipelineRule = z
  .strictObject({
    name: ruleName,
    resource: resource('image-pipeline'),
    match: z.strictObject({ ...matchCommon }).optional().describe(MATCH_DESCRIPTION),
    keep: z.strictObject({ newest, groupBy: groupBy('image-pipeline'), youngerThan, activeWithin }).describe(KEEP_DESCRIPTION),
  })
  .describe('A rule for ECS image pipelines.');

/** The per-kind objects, for explaining a key that belongs to another kind. */
const RULE_PARTS = {
  'ehpc-image': ehpcImageRule,
  'ecs-image': ecsImageRule,
  'wuying-image': wuyingImageRule,
  'image-pipeline': imagePipelineRule,
} as const satisfies Record<ResourceKind, unknown>;

export const ruleSchema = z.discriminatedUnion('resource', [ehpcImageRule, ecsImageRule, wuyingImageRule, imagePipelineRule]);

/**
 * A rule whose `resource` is missing or wrong, checked against every kind's keys at once, so that
 * its other mistakes are still reported in the same run. Not part of the published schema.
 */
export const ruleOfUnknownKindSchema = z.strictObject({
  name: ruleName,
  resource: z.unknown(),
  match: z.strictObject({ ...matchCommon, status, osTag, family, productType }).optional(),
  keep: z.strictObject({ newest, groupBy: groupBy('ehpc-image'), youngerThan, activeWithin }),
  grace,
  deleteSnapshots: deleteSnapshots.optional(),
});

// ---------------------------------------------------------------------------------------------
// The document

const limits = z
  .strictObject({
    maxDeletionsPerRun: z
      .int()
      .min(0, 'must be 0 or more')
      .default(DEFAULT_LIMITS.maxDeletionsPerRun)
      .describe('Deletions in one run, all kinds and regions together; the rest wait for the next run. 0 deletes nothing.'),
    maxDeletionPercent: z
      .number()
      .min(0, 'a percentage is between 0 and 100')
      .max(100, 'a percentage is between 0 and 100')
      .default(DEFAULT_LIMITS.maxDeletionPercent)
      .describe('Per region and kind: when deletions would exceed this share (0-100) of what was listed, delete none of that group and report an error.'),
    concurrency: z
      .int()
      .min(1, 'must be between 1 and 64')
      .max(64, 'must be between 1 and 64')
      .default(DEFAULT_LIMITS.concurrency)
      .describe('API calls in flight per region, 1 to 64.'),
    requestsPerSecond: z
      .number()
      .gt(0, 'must be more than 0')
      .max(1000, 'must be at most 1000')
      .default(DEFAULT_LIMITS.requestsPerSecond)
      .describe('Requests per second per API action per region, more than 0 and at most 1000.'),
  })
  .describe('Safety limits. All optional; defaults 20, 50, 4 and 5.');

const protect = z
  .strictObject({
    tags: tagMap(
      'Items carrying any of these tags are never touched: key present, value matching the glob (case-insensitive). image-gc:keep: "true" is always in force.',
      'Glob on the tag value (* and ?, anchored, case-insensitive). Quote true/false/numbers: "true".',
    ).optional(),
    ids: z
      .array(
        z
          .string()
          .regex(RESOURCE_ID_PATTERN, 'an ID is exact (m-…, imgc-…, ip-…): letters, digits, dashes, dots, colons; no spaces or globs')
          .max(128, 'an ID is at most 128 characters')
          .describe('An exact image or pipeline ID.'),
      )
      .optional()
      .describe('Exact IDs of images and pipelines that are never touched.'),
  })
  .describe('Protections that win over every rule.');

const costs = z
  .strictObject({
    snapshotPricePerGiBMonth: z
      .number()
      .min(0, 'a price cannot be negative')
      .max(1000, 'at most 1000 per GiB-month; is this the price of a GiB for a month?')
      .describe('Price of one GiB of standard snapshot storage for one month, in `currency`. The regional price is on the Pricing tab of the ECS product page.'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'a currency is a three-letter ISO 4217 code in capitals, such as USD or CNY')
      .describe('ISO 4217 code of the price: USD, CNY, …'),
  })
  .describe(
    'The cost model for the estimated monthly saving a run reports. Absent: 0.0173 USD per GiB-month, a placeholder taken from the worked example on the Alibaba Cloud snapshot billing page, not your price.',
  );

export const policySchema = z
  .strictObject({
    version: z
      .literal(1, {
        error: (iss) =>
          iss.input === '1'
            ? 'write version: 1 without quotes (a number)'
            : `this image-gc reads policy version 1; this file says ${JSON.stringify(iss.input) ?? 'nothing'}`,
      })
      .describe('Policy language version. Always 1.'),
    mode: z
      .enum(MODES, {
        error: (iss) =>
          `'${input(iss)}' is not a mode${typeof iss.input === 'string' ? didYouMean(iss.input, MODES) : ''} (write dry-run or enforce)`,
      })
      .default('dry-run')
      .describe('dry-run (default) changes nothing; enforce deletes, tags and untags.'),
    regions: z
      .array(region)
      .min(1, 'list at least one region, e.g. [cn-hangzhou]')
      // uniqueItems lets editors flag a repeated region; at run time semantic.ts says where.
      .meta({ description: 'Region IDs to collect in. Each listed once.', uniqueItems: true }),
    limits: limits.prefault({}),
    protect: protect.optional(),
    rules: z
      .array(ruleSchema)
      .min(1, 'rules is empty: write at least one rule (a policy without rules decides nothing)')
      .describe('The retention rules. An item is a candidate when a matching rule does not keep it and no matching rule keeps it.'),
    costs: costs.optional(),
  })
  .meta({
    title: 'image-gc retention policy',
    description:
      'Which Alibaba Cloud custom images (E-HPC, ECS, WUYING) and ECS image pipelines image-gc may delete. Spec: shared/spec/policy.md.',
  });

/** The document as an operator writes it (defaults not yet filled). */
export type PolicyDocumentInput = z.input<typeof policySchema>;
/** The document after validation: defaults filled, still as written otherwise. */
export type PolicyDocument = z.output<typeof policySchema>;
export type RuleDocument = PolicyDocument['rules'][number];

/** The JSON Schema published as policies/policy.schema.json, for editors. */
export function policyJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(policySchema, { target: 'draft-07', io: 'input', unrepresentable: 'throw' }) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Knowledge for messages, read off the schemas above so that it cannot drift from them.

export type KeyContext = 'top' | 'limits' | 'protect' | 'costs' | 'rule' | 'match' | 'keep' | 'groupBy';

type Shaped = { shape: Record<string, unknown> };
const unwrapShape = (schema: unknown): Record<string, unknown> => {
  let s = schema as { shape?: Record<string, unknown>; unwrap?: () => unknown };
  while (s.shape === undefined && typeof s.unwrap === 'function') s = s.unwrap() as typeof s;
  return s.shape ?? {};
};

function partShape(kind: ResourceKind, context: 'rule' | 'match' | 'keep'): Record<string, unknown> {
  const rule = (RULE_PARTS[kind] as Shaped).shape;
  return context === 'rule' ? rule : unwrapShape(rule[context]);
}

const allowedKeysCache = new Map<string, readonly string[]>();

/** The keys allowed in an object; rule, match and keep depend on the rule's kind (all kinds when unknown). */
export function allowedKeys(context: KeyContext, kind?: ResourceKind): readonly string[] {
  const cacheKey = `${context}/${kind ?? '*'}`;
  let keys = allowedKeysCache.get(cacheKey);
  if (keys === undefined) {
    keys = Object.freeze(readAllowedKeys(context, kind));
    allowedKeysCache.set(cacheKey, keys);
  }
  return keys;
}

function readAllowedKeys(context: KeyContext, kind?: ResourceKind): string[] {
  switch (context) {
    case 'top':
      return Object.keys(policySchema.shape);
    case 'limits':
      return Object.keys(limits.shape);
    case 'protect':
      return Object.keys(protect.shape);
    case 'costs':
      return Object.keys(costs.shape);
    case 'groupBy':
      return ['name'];
    default: {
      const kinds = kind === undefined ? RESOURCE_KINDS : [kind];
      return [...new Set(kinds.flatMap((k) => Object.keys(partShape(k, context))))];
    }
  }
}

/** The kinds whose rules allow `key` in a rule, match or keep object. */
export function kindsAllowing(context: 'rule' | 'match' | 'keep', key: string): ResourceKind[] {
  return RESOURCE_KINDS.filter((k) => Object.hasOwn(partShape(k, context), key));
}

/** Why a key is limited to some kinds, when the reason is not obvious from its name. */
export const WHY_ONLY: Readonly<Record<string, string>> = {
  grace: 'the kinds that can be tagged (grace marks an item with a tag before it deletes it)',
  deleteSnapshots: 'the kinds backed by ECS snapshots',
};

/** policyJsonSchema() as the file is written: two-space indent, trailing newline. */
export function policyJsonSchemaText(): string {
  return `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
}
