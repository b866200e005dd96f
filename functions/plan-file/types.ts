/**
 * The plan file: what `gc plan --out` writes and `gc apply` reads. Pretty-printed JSON for people
 * to review, with a checksum over its canonical form (seal.ts). Every plan item is in it, with its
 * decision, rule, reasons and detail; each `delete` item also carries the facts it was decided on
 * (facts.ts), which apply's re-check compares with the item as it is then.
 */
import { z } from 'zod';
import { RESOURCE_KINDS } from '../inventory/types.js';
import { CANDIDATE_REASONS, DECISIONS, KEEP_REASONS, PROTECT_REASONS } from '../plan/types.js';
import { CHECKSUM_ALGORITHMS } from './seal.js';

export const PLAN_FILE_FORMAT = 'image-gc-plan';
export const PLAN_FILE_VERSION = 1;

const isoTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, 'an ISO time in UTC');
const nullableString = z.string().nullable();
const size = z.number().finite().nonnegative().nullable();

const factsSchema = z.strictObject({
  name: z.string(),
  status: nullableString,
  tags: z.record(z.string(), z.string()),
  createdAt: nullableString,
  sizeGiB: size,
  family: nullableString,
  osTag: nullableString,
  productType: nullableString,
  owned: z.boolean().nullable(),
  inUse: z.boolean().nullable(),
  shared: z.boolean().nullable(),
  isPublic: z.boolean().nullable(),
  atRest: z.boolean().nullable(),
  snapshots: z.array(z.strictObject({ id: z.string(), sizeGiB: size })).nullable(),
  lastActivityAt: nullableString,
  executions: z
    .array(z.strictObject({ id: z.string(), status: nullableString, createdAt: nullableString, modifiedAt: nullableString }))
    .nullable(),
});

const REASONS = [...KEEP_REASONS, ...PROTECT_REASONS, ...CANDIDATE_REASONS] as const;

const itemSchema = z.strictObject({
  kind: z.enum(RESOURCE_KINDS),
  region: z.string().min(1),
  id: z.string().min(1),
  name: z.string(),
  createdAt: nullableString,
  sizeGiB: size,
  decision: z.enum(DECISIONS),
  rule: nullableString,
  reasons: z.array(z.enum(REASONS)),
  detail: z.string(),
  markedAt: nullableString,
  group: nullableString,
  warnings: z.array(z.string()),
  /** `delete` items under a rule with deleteSnapshots: the image's snapshots and whether each would go too. */
  snapshots: z
    .array(z.strictObject({ id: z.string().min(1), sizeGiB: size, action: z.enum(['delete', 'keep', 'unknown']), detail: z.string() }))
    .optional(),
  /** `delete` items only: what the decision rested on. */
  facts: factsSchema.optional(),
});

export const planFileSchema = z
  .strictObject({
    format: z.literal(PLAN_FILE_FORMAT),
    formatVersion: z.literal(PLAN_FILE_VERSION),
    tool: z.strictObject({ name: z.literal('image-gc'), version: z.string() }),
    /** When the plan was made, by the wall clock (what the TTL counts from). */
    createdAt: isoTime,
    expiresAt: isoTime,
    ttl: z.string(),
    /** The clock ages were measured against (`--now`, or createdAt). */
    now: isoTime,
    account: z.strictObject({ accountId: z.string().min(1), arn: nullableString, identityType: nullableString }),
    policy: z.strictObject({
      /** As given on the command line. */
      file: z.string().min(1),
      /** Absolute, as resolved when the plan was made: where apply looks when not given --policy. */
      path: z.string().min(1),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      mode: z.enum(['dry-run', 'enforce']),
      regions: z.array(z.string()),
      kinds: z.array(z.enum(RESOURCE_KINDS)),
    }),
    summary: z.strictObject({
      listed: z.number().int().nonnegative(),
      counts: z.record(z.enum(DECISIONS), z.number().int().nonnegative()),
      deletions: z.number().int().nonnegative(),
      gibToReclaim: z.number().finite().nonnegative(),
      aborted: z.array(z.strictObject({ kind: z.enum(RESOURCE_KINDS), region: z.string(), listed: z.number(), candidates: z.number(), percent: z.number(), limit: z.number() })),
      listingFailures: z.array(z.strictObject({ kind: z.enum(RESOURCE_KINDS), region: z.string(), code: z.string(), message: z.string() })),
      lookupFailures: z.array(z.strictObject({ region: z.string(), lookup: z.string(), action: z.string(), code: z.string(), message: z.string() })),
    }),
    items: z.array(itemSchema),
    checksum: z.strictObject({ algorithm: z.enum(CHECKSUM_ALGORITHMS), value: z.string().regex(/^[0-9a-f]{64}$/) }),
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.items.forEach((item, index) => {
      const key = `${item.kind}/${item.region}/${item.id}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['items', index], message: `${key} appears twice` });
      seen.add(key);
      if (item.decision === 'delete' && item.facts === undefined) {
        ctx.addIssue({ code: 'custom', path: ['items', index, 'facts'], message: 'a delete item must carry the facts it was decided on' });
      }
    });
  });

export type PlanFile = z.infer<typeof planFileSchema>;
export type PlanFileItem = PlanFile['items'][number];
