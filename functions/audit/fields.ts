/**
 * Every field of every audit-log event (functions/report/audit-log.ts), typed. From it come the
 * SLS index (policies/sls/index.json: a JSON index on FC's `message` field, one typed key per
 * leaf) and the field reference in docs/audit-log.md (fields-doc.ts).
 * test/integration/audit-queries.test.ts checks it against what the logger really writes, so a
 * new field cannot go unindexed.
 */
import { DECISIONS } from '../plan/types.js';
import type { EventName } from '../report/audit-log.js';
import { OUTCOMES, SNAPSHOT_OUTCOMES } from '../sweep/types.js';

/** JSON value types; `bool` is indexed as text ("true"/"false"), arrays cannot be indexed by SLS. */
export type FieldType = 'text' | 'long' | 'double' | 'bool' | 'array';

export interface FieldSpec {
  readonly type: FieldType;
  readonly doc: string;
  /** Written only in some cases (e.g. only under a rule with deleteSnapshots). */
  readonly optional?: boolean;
}

export type Fields = Readonly<Record<string, FieldSpec>>;
const f = (type: FieldType, doc: string, optional = false): FieldSpec => (optional ? { type, doc, optional } : { type, doc });

/** On every line. */
export const COMMON_FIELDS: Fields = {
  level: f('text', 'debug, info, warn or error'),
  time: f('text', 'when the line was written, ISO 8601 UTC'),
  app: f('text', 'always image-gc'),
  runId: f('text', 'one UUID per run (per invocation); ties every line of a run together'),
  event: f('text', 'the event name'),
  msg: f('text', 'one sentence for people'),
};

const KIND = f('text', 'ehpc-image, ecs-image, wuying-image or image-pipeline');
const REGION = f('text', 'region ID');
const CODE = f('text', "the API's error code (null when none)");
const HTTP = f('long', 'HTTP status of the failing call (null when none)');
const REQUEST_ID = f('text', "the cloud API's RequestId of the failing call (null when none)");
const MESSAGE = f('text', 'the error message (null when none)');
const DURATION = f('long', 'milliseconds');

const counts = (prefix: string, keys: readonly string[], what: string): Fields =>
  Object.fromEntries(keys.map((k) => [`${prefix}.${k}`, f('long', `${what} ${k}`)]));

export const EVENT_FIELDS: Readonly<Record<EventName, Fields>> = {
  'run.start': {
    mode: f('text', 'dry-run or enforce'),
    modeReason: f('text', 'why this mode: the policy, IMAGE_GC_MODE, the trigger payload, --dry-run'),
    policyFile: f('text', 'the policy file as named (IMAGE_GC_POLICY or --policy)'),
    policySha256: f('text', "SHA-256 of the policy file's bytes"),
    regions: f('array', "the policy's regions"),
    kinds: f('array', 'the kinds the rules name'),
    now: f('text', 'the clock ages are measured against'),
    deadline: f('text', 'no deletion starts after this time (null: none)'),
    'trigger.name': f('text', 'timer trigger name, or cli'),
    'trigger.time': f('text', 'when the trigger fired'),
    'trigger.requestId': f('text', "Function Compute's request ID", true),
    'trigger.function': f('text', 'the function name', true),
    version: f('text', 'image-gc version'),
    command: f('text', 'apply, when the run carries out a reviewed plan file', true),
    planFile: f('text', 'apply: the plan file', true),
    planChecksum: f('text', "apply: the plan file's checksum", true),
  },
  'inventory.listed': {
    kind: KIND,
    region: REGION,
    count: f('long', 'items listed'),
    durationMs: DURATION,
    warnings: f('text', 'what the listing noticed, joined with "; "'),
  },
  'inventory.failed': { kind: KIND, region: REGION, code: CODE, message: MESSAGE, durationMs: DURATION },
  'references.failed': {
    region: REGION,
    lookup: f('text', 'the in-use lookup that failed (launch templates, scaling configurations, ...)'),
    action: f('text', 'the API action that failed'),
    code: CODE,
    message: MESSAGE,
  },
  'item.decision': {
    mode: f('text', 'dry-run or enforce'),
    kind: KIND,
    region: REGION,
    id: f('text', 'image or pipeline ID'),
    name: f('text', 'its name'),
    createdAt: f('text', 'creation time, ISO 8601 (null: unknown)'),
    ageDays: f('long', 'whole days old at `now` (null: unknown)'),
    sizeGiB: f('double', 'size in GiB (null: unknown)'),
    decision: f('text', DECISIONS.join(', ')),
    rule: f('text', 'the rule behind the decision (null: a protection or no rule)'),
    reason: f('text', 'the first reason code'),
    reasons: f('text', 'every reason code, joined with ","'),
    detail: f('text', 'why, in one sentence'),
    group: f('text', 'the keep.newest group it was ranked in (null: none)'),
    markedAt: f('text', 'the grace mark found on it (null: none)'),
    warnings: f('text', 'what the inventory could not resolve, joined with "; "'),
    snapshots: f('text', 'under deleteSnapshots: each snapshot, id:action:size (detail), joined with "; "', true),
    snapshotGiB: f('double', 'under deleteSnapshots: GiB of the snapshots that would go too', true),
    api: f('text', "the fields the API answered for the item (Status, Usage, IsSelfShared, CreationTime, ...), as one JSON text: the evidence behind the decision", true),
  },
  'group.aborted': {
    kind: KIND,
    region: REGION,
    listed: f('long', 'items listed in the group'),
    candidates: f('long', 'candidates in the group'),
    percent: f('double', 'candidates / listed, percent'),
    limit: f('double', 'the policy maxDeletionPercent'),
  },
  'item.deleting': {
    kind: KIND,
    region: REGION,
    id: f('text', 'image or pipeline ID'),
    name: f('text', 'its name'),
    rule: f('text', 'the rule behind the deletion'),
  },
  'item.outcome': {
    kind: KIND,
    region: REGION,
    id: f('text', 'image or pipeline ID'),
    name: f('text', 'its name'),
    decision: f('text', 'the decision carried out'),
    rule: f('text', 'the rule behind it'),
    outcome: f('text', OUTCOMES.join(', ')),
    code: CODE,
    httpStatus: HTTP,
    requestId: REQUEST_ID,
    message: MESSAGE,
    steps: f('text', 'the calls made, Action:result, joined with " "'),
    durationMs: DURATION,
    gibReclaimed: f('double', 'nominal GiB of the deleted image (0 unless deleted)'),
  },
  'snapshot.outcome': {
    kind: KIND,
    region: REGION,
    imageId: f('text', 'the deleted image the snapshot was behind'),
    imageName: f('text', "the image's name"),
    rule: f('text', 'the rule that deleted the image'),
    snapshotId: f('text', 'snapshot ID'),
    sizeGiB: f('double', 'GiB (null: unknown)'),
    outcome: f('text', SNAPSHOT_OUTCOMES.join(', ')),
    code: CODE,
    httpStatus: HTTP,
    requestId: REQUEST_ID,
    message: MESSAGE,
    detail: f('text', 'what the check before deleting found'),
    steps: f('text', 'the calls made, joined with " "'),
    gibReclaimed: f('double', 'GiB freed (0 unless deleted)'),
  },
  'api.error': {
    action: f('text', 'product.Action, e.g. ecs.DeleteImage'),
    region: REGION,
    code: CODE,
    httpStatus: HTTP,
    requestId: REQUEST_ID,
    errorClass: f('text', 'final (a refusal), transient (retried out), or another class of the client'),
    attempts: f('long', 'attempts made'),
    message: MESSAGE,
  },
  'run.finish': {
    mode: f('text', 'dry-run or enforce'),
    policyFile: f('text', 'the policy file'),
    policySha256: f('text', "SHA-256 of the policy file's bytes"),
    now: f('text', 'the clock ages were measured against'),
    startedAt: f('text', 'ISO 8601'),
    finishedAt: f('text', 'ISO 8601'),
    durationMs: DURATION,
    listed: f('long', 'items listed'),
    ...counts('decisions', DECISIONS, 'items decided'),
    ...counts('outcomes', OUTCOMES, 'items'),
    ...counts('snapshotOutcomes', SNAPSHOT_OUTCOMES, 'snapshots'),
    groups: f('array', 'per kind and region: listed, decisions, outcomes, gibReclaimed'),
    gibReclaimed: f('double', 'nominal GiB of the images deleted'),
    'storage.imagesDeleted': f('long', 'images deleted'),
    'storage.imageGiB': f('double', 'their nominal GiB (an ECS image frees no storage by itself)'),
    'storage.snapshotsDeleted': f('long', 'snapshots deleted with their images'),
    'storage.snapshotGiB': f('double', 'their GiB: the storage reclaimed'),
    'storage.plannedSnapshots': f('long', 'snapshots the plan found free'),
    'storage.plannedSnapshotGiB': f('double', 'their GiB (the dry-run figure)'),
    'storage.plannedSnapshotsKept': f('long', 'snapshots the plan found in use, kept'),
    'storage.pricePerGiBMonth': f('double', 'snapshot price used for the estimate'),
    'storage.currency': f('text', 'its currency'),
    'storage.priceSource': f('text', 'policy, or default (a placeholder price)'),
    'storage.estimatedMonthlySaving': f('double', 'snapshotGiB x price'),
    'storage.plannedMonthlySaving': f('double', 'plannedSnapshotGiB x price'),
    'storage.note': f('text', 'how to read these figures'),
    lookupFailures: f('array', 'in-use lookups that failed'),
    apiCalls: f('long', 'API calls made'),
    throttled: f('long', 'calls throttled'),
    aborted: f('array', 'groups stopped by maxDeletionPercent'),
    listingFailures: f('array', 'kinds and regions whose listing failed'),
    leftByDeadline: f('long', 'actions not started because the deadline came'),
    completed: f('bool', 'every decided action was attempted'),
    exitStatus: f('long', '0 done; 1 done with failures, aborted groups, failed listings or lookups'),
  },
  'run.rejected': { reason: f('text', 'why nothing was done: bad trigger event or environment, invalid policy'), errors: f('array', 'the errors') },
  'run.warning': {},
};

export type SlsType = 'text' | 'long' | 'double';

/** Every indexable leaf field, with its SLS type; a name used by two events has one type. */
export function indexedFields(): Map<string, SlsType> {
  const out = new Map<string, SlsType>();
  for (const fields of [COMMON_FIELDS, ...Object.values(EVENT_FIELDS)]) {
    for (const [name, spec] of Object.entries(fields)) {
      if (spec.type === 'array') continue;
      const type: SlsType = spec.type === 'bool' ? 'text' : spec.type;
      const seen = out.get(name);
      if (seen !== undefined && seen !== type) throw new Error(`audit field ${name} is ${seen} in one event and ${type} in another: SLS gives a key one type`);
      out.set(name, type);
    }
  }
  return out;
}

/** SLS's default delimiters, less nothing: `.` and `-` stay inside tokens (item.outcome, m-bp1...). */
export const SLS_TOKENS = [',', ' ', "'", '"', ';', '=', '(', ')', '[', ']', '{', '}', '?', '@', '&', '<', '>', '/', ':', '\n', '\t', '\r'];

/** The logstore index: the body of SLS CreateIndex / UpdateIndex (fields sorted, for stable diffs). */
export function slsIndex(): Record<string, unknown> {
  const jsonKeys = Object.fromEntries([...indexedFields()].sort(([a], [b]) => a.localeCompare(b)).map(([name, type]) => [name, { type, doc_value: true }]));
  return {
    keys: {
      message: { type: 'json', caseSensitive: false, chn: false, token: SLS_TOKENS, index_all: false, max_depth: -1, doc_value: false, json_keys: jsonKeys },
    },
  };
}

