/**
 * Builders for tests: inventory items, fleets and compiled policies written the way a person
 * writes them (globs and durations as strings), plus fast-check arbitraries for random fleets and
 * policies. Items default to the most deletable thing there is (owned, unused, private, at rest,
 * 100 days old), so a test states only what protects or keeps it.
 */
import fc from 'fast-check';
import { RESOURCE_KINDS, TAGGABLE_KINDS, type Fact, type Inventory, type InventoryItem, type ListingFailure, type ResourceKind } from '../../functions/inventory/types.js';
import { parseDuration } from '../../functions/policy/duration.js';
import { compileGlob } from '../../functions/policy/glob.js';
import type { Decision, Plan, PlanItem } from '../../functions/plan/types.js';
import { BUILTIN_KEEP_TAG, DEFAULT_LIMITS, MARK_TAG_KEY, type GroupBy, type Limits, type Policy, type Rule, type TagCondition } from '../../functions/policy/types.js';

export const NOW = new Date('2025-06-01T12:00:00.000Z');
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
export function daysAgo(days: number, now: Date = NOW): string {
  return iso(now.getTime() - days * DAY_MS);
}
export function hoursAgo(hours: number, now: Date = NOW): string {
  return iso(now.getTime() - hours * HOUR_MS);
}

// ---------------------------------------------------------------- items and fleets

type FactInput = boolean | null | Fact;
const FACT_NAMES = ['owned', 'inUse', 'shared', 'isPublic', 'atRest'] as const;
type FactName = (typeof FACT_NAMES)[number];

export type ItemSpec = Partial<Omit<InventoryItem, FactName>> & { readonly [K in FactName]?: FactInput };

const SAFE_FACTS: Record<FactName, boolean> = { owned: true, inUse: false, shared: false, isPublic: false, atRest: true };

export function fact(value: boolean | null, evidence = `${String(value)} (test)`): Fact {
  return { value, evidence };
}

/** An item; `id` defaults to `m-<name>`, `createdAtRaw` to `createdAt`. */
export function item(spec: ItemSpec = {}): InventoryItem {
  const name = spec.name ?? 'image';
  const createdAt = spec.createdAt === undefined ? daysAgo(100) : spec.createdAt;
  const facts = Object.fromEntries(
    FACT_NAMES.map((key) => {
      const given = spec[key];
      if (given === undefined) return [key, fact(SAFE_FACTS[key], `${key} (test default)`)];
      return [key, typeof given === 'object' && given !== null ? given : fact(given, `${key}=${String(given)} (test)`)];
    }),
  ) as Record<FactName, Fact>;
  return {
    kind: 'ecs-image',
    region: 'cn-hangzhou',
    id: `m-${name}`,
    status: 'Available',
    tags: {},
    family: null,
    osTag: null,
    productType: null,
    sizeGiB: 20,
    warnings: [],
    raw: {},
    ...spec,
    name,
    createdAt,
    createdAtRaw: spec.createdAtRaw === undefined ? createdAt : spec.createdAtRaw,
    ...facts,
  };
}

/** An inventory whose `listed` is derived from the items: every (kind, region) present, listed completely. */
export function fleet(items: readonly InventoryItem[], failures: readonly ListingFailure[] = []): Inventory {
  const counts = new Map<string, { kind: ResourceKind; region: string; count: number }>();
  for (const it of items) {
    const key = `${it.kind}/${it.region}`;
    const entry = counts.get(key) ?? { kind: it.kind, region: it.region, count: 0 };
    counts.set(key, { ...entry, count: entry.count + 1 });
  }
  const failed = new Set(failures.map((f) => `${f.kind}/${f.region}`));
  return { items, listed: [...counts.entries()].filter(([key]) => !failed.has(key)).map(([, v]) => v), failures };
}

// ---------------------------------------------------------------- rules and policies

export interface RuleSpec {
  readonly name?: string;
  readonly resource?: ResourceKind;
  readonly match?: {
    readonly name?: string | readonly string[];
    readonly tags?: Readonly<Record<string, string>>;
    readonly status?: readonly string[];
    readonly osTag?: string | readonly string[];
    readonly family?: string | readonly string[];
    readonly productType?: readonly string[];
  };
  readonly keep?: {
    readonly newest?: number;
    readonly groupBy?: 'none' | 'family' | 'osTag' | { readonly name: string };
    readonly youngerThan?: string;
    readonly activeWithin?: string;
  };
  readonly grace?: string;
}

/** Globs compiled as the policy loader compiles them. */
export const glob = compileGlob;

const globs = (value: string | readonly string[]) => (typeof value === 'string' ? [value] : value).map((g) => glob(g));
const tagConditions = (tags: Readonly<Record<string, string>>, ignoreCase = false): TagCondition[] =>
  Object.entries(tags).map(([key, value]) => ({ key, value: glob(value, { ignoreCase }) }));

function groupBy(spec: NonNullable<RuleSpec['keep']>['groupBy']): GroupBy {
  if (spec === undefined || spec === 'none') return { by: 'none' };
  if (spec === 'family' || spec === 'osTag') return { by: spec };
  return { by: 'name', pattern: new RegExp(spec.name, 'u'), source: spec.name };
}

/** A compiled rule, as the policy loader would make it from the same YAML. */
export function rule(spec: RuleSpec = {}): Rule {
  const m = spec.match ?? {};
  const k = spec.keep ?? {};
  return {
    name: spec.name ?? 'rule',
    resource: spec.resource ?? 'ecs-image',
    match: {
      ...(m.name !== undefined && { name: globs(m.name) }),
      ...(m.tags !== undefined && { tags: tagConditions(m.tags) }),
      ...(m.status !== undefined && { status: m.status }),
      ...(m.osTag !== undefined && { osTag: globs(m.osTag) }),
      ...(m.family !== undefined && { family: globs(m.family) }),
      ...(m.productType !== undefined && { productType: m.productType }),
    },
    keep: {
      groupBy: groupBy(k.groupBy),
      ...(k.newest !== undefined && { newest: k.newest }),
      ...(k.youngerThan !== undefined && { youngerThanMs: parseDuration(k.youngerThan) }),
      ...(k.activeWithin !== undefined && { activeWithinMs: parseDuration(k.activeWithin) }),
    },
    ...(spec.grace !== undefined && { graceMs: parseDuration(spec.grace) }),
    written: {
      ...(k.youngerThan !== undefined && { youngerThan: k.youngerThan }),
      ...(k.activeWithin !== undefined && { activeWithin: k.activeWithin }),
      ...(spec.grace !== undefined && { grace: spec.grace }),
    },
  };
}

export interface PolicySpec {
  readonly rules?: readonly (Rule | RuleSpec)[];
  readonly protectTags?: Readonly<Record<string, string>>;
  readonly protectIds?: readonly string[];
  readonly limits?: Partial<Limits>;
  readonly regions?: readonly string[];
}

/** Limits that never bite, for tests about rules rather than caps. */
export const NO_CAPS: Partial<Limits> = { maxDeletionsPerRun: 1_000_000, maxDeletionPercent: 100 };

/** A compiled policy: the built-in keep tag is always among the protect tags, as the loader ensures. */
export function policy(spec: PolicySpec = {}): Policy {
  return {
    version: 1,
    mode: 'dry-run',
    regions: spec.regions ?? ['cn-hangzhou', 'cn-shanghai'],
    limits: { ...DEFAULT_LIMITS, ...spec.limits },
    protect: {
      tags: tagConditions({ [BUILTIN_KEEP_TAG.key]: BUILTIN_KEEP_TAG.value, ...spec.protectTags }, true),
      ids: spec.protectIds ?? [],
    },
    rules: (spec.rules ?? [rule()]).map((r) => ('written' in r ? r : rule(r))),
  };
}

/** Tags carrying a grace mark made `days` before now. */
export function markedDaysAgo(days: number, now: Date = NOW): Record<string, string> {
  return { [MARK_TAG_KEY]: daysAgo(days, now) };
}

// ---------------------------------------------------------------- arbitraries

/** Small alphabets so that globs, groups, ties and protections all happen often. */
export const REGIONS = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'] as const;
const NAME_PREFIXES = ['hpc-build-', 'hpc-', 'web-', 'ci-', 'base'] as const;
const NAME_SUFFIXES = ['a', 'b', '1', '22', 'x-9'] as const;
const NAME_GLOBS = ['hpc-*', 'hpc-build-?', 'web-?', 'ci-*', '*', 'base*', '*-9'] as const;
const DURATIONS = ['12h', '1d', '7d', '30d'] as const;
const GROUP_REGEXES = ['^([a-z]+)-', '^hpc-(build)-', '-(\\d+)$'] as const;

/** Kinds, the taggable ones (where grace happens) more often. */
export function arbKind(): fc.Arbitrary<ResourceKind> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant('ecs-image' as const) },
    { weight: 2, arbitrary: fc.constant('ehpc-image' as const) },
    { weight: 1, arbitrary: fc.constantFrom('wuying-image' as const, 'image-pipeline' as const) },
  );
}

/** A fact: mostly the safe value, sometimes the unsafe one, sometimes unknown. */
export function arbFact(safe: boolean): fc.Arbitrary<Fact> {
  return fc.oneof(
    { weight: 60, arbitrary: fc.constant(fact(safe, 'safe')) },
    { weight: 1, arbitrary: fc.constant(fact(!safe, 'unsafe')) },
    { weight: 1, arbitrary: fc.constant(fact(null, 'unknown')) },
  );
}

/** `value`, or absent `absentWeight` times as often. */
function sometimes<T>(value: fc.Arbitrary<T>, absentWeight: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: absentWeight, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: value });
}

/** A creation time: mostly past days (with ties), sometimes missing, garbled, slightly or far in the future. */
export function arbCreatedAt(now: Date = NOW): fc.Arbitrary<string | null> {
  const ms = now.getTime();
  return fc.oneof(
    { weight: 30, arbitrary: fc.integer({ min: 0, max: 60 }).map((d) => iso(ms - d * DAY_MS)) },
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 48 }).map((h) => iso(ms - h * HOUR_MS)) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constant('last tuesday') },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 }).map((m) => iso(ms + m * 60_000)) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 10 }).map((d) => iso(ms + d * DAY_MS)) },
  );
}

/** A grace mark value: made some days ago, in the future, or unreadable. */
export function arbMark(now: Date = NOW): fc.Arbitrary<string> {
  const ms = now.getTime();
  return fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 10 * 24 }).map((h) => iso(ms - h * HOUR_MS)) },
    { weight: 1, arbitrary: fc.constant(iso(ms + 3 * DAY_MS)) },
    { weight: 1, arbitrary: fc.constant('soon') },
  );
}

function arbTags(now: Date): fc.Arbitrary<Record<string, string>> {
  return fc
    .record({
      team: sometimes(fc.constantFrom('hpc', 'web', 'HPC'), 1),
      env: sometimes(fc.constantFrom('prod', 'dev'), 4),
      [BUILTIN_KEEP_TAG.key]: sometimes(fc.constantFrom('true', 'TRUE', 'false'), 10),
      [MARK_TAG_KEY]: sometimes(arbMark(now), 4),
    })
    .map((tags) => Object.fromEntries(Object.entries(tags).filter(([, v]) => v !== undefined)) as Record<string, string>);
}

/** An item without its ID; fleets give IDs so that they are unique. */
export function arbItemBody(now: Date = NOW): fc.Arbitrary<Omit<InventoryItem, 'id'>> {
  const ms = now.getTime();
  return fc
    .record({
      kind: arbKind(),
      region: fc.constantFrom(...REGIONS),
      name: fc.tuple(fc.constantFrom(...NAME_PREFIXES), fc.constantFrom(...NAME_SUFFIXES)).map(([p, s]) => p + s),
      createdAt: arbCreatedAt(now),
      status: fc.constantFrom('Available', 'available', 'CreateFailed', null),
      tags: arbTags(now),
      family: fc.constantFrom('hpc-base', 'hpc-gpu', 'web', null),
      osTag: fc.constantFrom('CentOS_7', 'Ubuntu_22', null),
      productType: fc.constantFrom('CloudApp', 'cloudapp', null),
      owned: arbFact(true),
      inUse: arbFact(false),
      shared: arbFact(false),
      isPublic: arbFact(false),
      atRest: arbFact(true),
      lastActivityAt: fc.option(fc.integer({ min: 0, max: 40 }).map((d) => iso(ms - d * DAY_MS)), { nil: null }),
    })
    .map(({ lastActivityAt, ...body }) => ({
      ...body,
      createdAtRaw: body.createdAt,
      sizeGiB: 10,
      warnings: [],
      raw: {},
      ...(body.kind === 'image-pipeline' && { lastActivityAt }),
    }));
}

/** A fleet of up to `maxItems` items with unique IDs, and sometimes a failed listing. */
export function arbInventory(now: Date = NOW, maxItems = 30): fc.Arbitrary<Inventory> {
  return fc
    .tuple(
      fc.array(fc.tuple(arbItemBody(now), fc.constantFrom('a', 'b', 'c')), { maxLength: maxItems }),
      fc.option(fc.record({ kind: fc.constantFrom(...RESOURCE_KINDS), region: fc.constantFrom(...REGIONS) }), { freq: 8, nil: null }),
    )
    .map(([bodies, failure]) => {
      // IDs from a small alphabet then the index: unique, but not in creation order, so ID tie-breaks matter.
      const items = bodies.map(([body, letter], index) => ({ ...body, id: `${letter}${String(index).padStart(3, '0')}` }) as InventoryItem);
      return fleet(items, failure === null ? [] : [{ ...failure, code: 'Throttling', message: 'test' }]);
    });
}

function arbRuleSpec(): fc.Arbitrary<RuleSpec> {
  return arbKind().chain((resource) => {
    const imageOf = (...kinds: ResourceKind[]) => kinds.includes(resource);
    return fc
      .record({
        resource: fc.constant(resource),
        // Each condition present one time in four, so that rules still match a fair share of the fleet.
        match: fc
          .record({
            name: sometimes(fc.uniqueArray(fc.constantFrom(...NAME_GLOBS), { minLength: 1, maxLength: 2 }), 4),
            tags: sometimes(fc.constantFrom({ team: 'hpc' }, { team: '*' }, { env: 'prod', team: 'h*' }), 4),
            status: sometimes(fc.constantFrom(['Available'], ['AVAILABLE', 'CreateFailed']), 4),
            osTag: imageOf('ehpc-image') ? sometimes(fc.constantFrom('CentOS_*', 'Ubuntu_??'), 4) : fc.constant(undefined),
            family: imageOf('ecs-image', 'ehpc-image') ? sometimes(fc.constantFrom('hpc-*', 'web'), 4) : fc.constant(undefined),
            productType: imageOf('wuying-image') ? sometimes(fc.constant(['CloudApp']), 4) : fc.constant(undefined),
          })
          .map((m) => Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined))),
        keep: fc
          .record({
            newest: sometimes(fc.integer({ min: 0, max: 3 }), 1),
            groupBy: fc.oneof(fc.constantFrom('none', 'family', 'osTag') as fc.Arbitrary<'none' | 'family' | 'osTag'>, fc.constantFrom(...GROUP_REGEXES).map((name) => ({ name }))),
            youngerThan: sometimes(fc.constantFrom(...DURATIONS), 2),
            activeWithin: resource === 'image-pipeline' ? sometimes(fc.constantFrom(...DURATIONS), 1) : fc.constant(undefined),
          })
          .map((k) => Object.fromEntries(Object.entries(k).filter(([, v]) => v !== undefined))),
        grace: TAGGABLE_KINDS.includes(resource) ? sometimes(fc.constantFrom('1d', '7d'), 2) : fc.constant(undefined),
      })
      .map(({ grace, ...r }) => (grace === undefined ? r : { ...r, grace })) as fc.Arbitrary<RuleSpec>;
  });
}

/** A compiled policy; protect IDs are drawn from `ids` so that they hit. */
export function arbPolicy(ids: readonly string[] = []): fc.Arbitrary<Policy> {
  return fc
    .record({
      rules: fc.array(arbRuleSpec(), { minLength: 2, maxLength: 6 }),
      protectTags: fc.constantFrom<Record<string, string>>({}, { env: 'prod' }, { team: 'web*' }),
      protectIds: ids.length === 0 ? fc.constant([]) : fc.subarray([...ids], { maxLength: 1 }),
      maxDeletionsPerRun: fc.integer({ min: 0, max: 8 }),
      maxDeletionPercent: fc.oneof(
        { weight: 3, arbitrary: fc.constant(100) },
        { weight: 1, arbitrary: fc.constantFrom(0, 50) },
        { weight: 2, arbitrary: fc.integer({ min: 0, max: 100 }) },
      ),
    })
    .map((p) =>
      policy({
        rules: p.rules.map((r, i) => rule({ ...r, name: `r${i}` })),
        protectTags: p.protectTags,
        protectIds: p.protectIds,
        limits: { maxDeletionsPerRun: p.maxDeletionsPerRun, maxDeletionPercent: p.maxDeletionPercent },
      }),
    );
}

/** A fleet and a policy written for it. */
export function arbFleetAndPolicy(now: Date = NOW, maxItems = 30): fc.Arbitrary<{ inventory: Inventory; policy: Policy }> {
  return arbInventory(now, maxItems).chain((inventory) =>
    arbPolicy(inventory.items.map((i) => i.id)).map((p) => ({ inventory, policy: p })),
  );
}

// ---------------------------------------------------------------- reading plans

/** The plan item of the item with this ID; fails loudly when there is not exactly one. */
export function planItem(plan: Plan, id: string): PlanItem {
  const found = plan.items.filter((p) => p.id === id);
  if (found.length !== 1) throw new Error(`expected one plan item with id ${id}, found ${found.length}`);
  return found[0] as PlanItem;
}

/** ID → decision, for compact assertions. */
export function decisions(plan: Plan): Record<string, Decision> {
  return Object.fromEntries(plan.items.map((p) => [p.id, p.decision]));
}
