/**
 * Checks a parsed fleet file and says exactly which field is wrong, e.g.
 * `regions.cn-hangzhou.images[3].CreationTime: expected an ISO 8601 time, got "yesterday"`.
 * A fleet that passes here cannot make a handler throw on a missing or mistyped field.
 */
import { readFileSync } from 'node:fs';
import {
  BUSY_KINDS, EXECUTION_STATUSES, EXECUTOR_STATUSES, FAULT_KINDS, IMAGE_STATUSES, OWNER_ALIASES,
  type Behaviour, type Fleet,
} from './fleet.js';

export class FleetError extends Error {
  override name = 'FleetError';
}

type Obj = Record<string, unknown>;

function fail(path: string, msg: string, got?: unknown): never {
  const shown = got === undefined ? '' : `, got ${JSON.stringify(got)?.slice(0, 80) ?? String(got)}`;
  throw new FleetError(`${path}: ${msg}${shown}`);
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: unknown, path: string): Obj {
  if (!isObj(v)) fail(path, 'expected an object', v);
  return v;
}

function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) fail(path, 'expected an array', v);
  return v;
}

/** Rejects fields the emulator would silently ignore (a typo in a knob must not pass). */
function knownKeys(o: Obj, path: string, known: readonly string[], hint = ''): void {
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) fail(`${path}.${k}`, `unknown field (known: ${known.join(', ')})${hint}`);
  }
}

const ANSWER_HINT = '; other API fields go in `answer`';

const IMAGE_KEYS = ['ImageId', 'CreationTime', 'ImageName', 'Description', 'Status', 'Size', 'ImageFamily', 'ImageOwnerAlias',
  'ImageOwnerId', 'OSType', 'OSName', 'Platform', 'Architecture', 'IsCopied', 'Progress', 'Tags', 'DiskDeviceMappings',
  'usedByInstances', 'sharedWith', 'isPublic', 'busy', 'ehpc', 'answer'];
const EHPC_KEYS = ['osTag', 'baseOsTag', 'platform', 'version', 'instantRegistered', 'usedByJobs', 'imageType', 'registeredAt', 'answer', 'instantAnswer'];
const PIPELINE_KEYS = ['ImagePipelineId', 'CreationTime', 'Name', 'Description', 'BaseImageType', 'BaseImage', 'ImageName', 'ImageFamily', 'Tags', 'executions', 'answer'];
const EXECUTION_KEYS = ['ExecutionId', 'Status', 'CreationTime', 'ModifiedTime', 'ImageId', 'Message', 'Tags', 'answer'];
const WUYING_KEYS = ['ImageId', 'GmtCreate', 'GmtModified', 'ImageName', 'Description', 'Status', 'ImageType', 'ProductType', 'OsType', 'PlatformName', 'inUse', 'shared', 'answer'];

function optArr(o: Obj, key: string, path: string): unknown[] {
  return o[key] === undefined ? [] : arr(o[key], `${path}.${key}`);
}

function reqStr(o: Obj, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') fail(`${path}.${key}`, 'required, expected a non-empty string', v);
  return v;
}

function optStr(o: Obj, key: string, path: string): void {
  if (o[key] !== undefined && typeof o[key] !== 'string') fail(`${path}.${key}`, 'expected a string', o[key]);
}

function optBool(o: Obj, key: string, path: string): void {
  if (o[key] !== undefined && typeof o[key] !== 'boolean') fail(`${path}.${key}`, 'expected true or false', o[key]);
}

function optNum(o: Obj, key: string, path: string, min = 0, max = Number.POSITIVE_INFINITY): void {
  const v = o[key];
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    fail(`${path}.${key}`, `expected a number in [${min}, ${max}]`, v);
  }
}

function optEnum(o: Obj, key: string, path: string, allowed: readonly string[]): void {
  const v = o[key];
  if (v !== undefined && (typeof v !== 'string' || !allowed.includes(v))) {
    fail(`${path}.${key}`, `expected one of ${allowed.join(', ')}`, v);
  }
}

function time(o: Obj, key: string, path: string, required: boolean): void {
  const v = o[key];
  if (v === undefined && !required) return;
  if (typeof v !== 'string' || Number.isNaN(parseTime(v))) fail(`${path}.${key}`, `${required ? 'required, ' : ''}expected an ISO 8601 time`, v);
}

/** Parses ISO 8601 and the 'YYYY-MM-DD HH:mm:ss' form appstream prints (read as UTC). */
export function parseTime(s: string): number {
  const plain = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(s) ? `${s.replace(' ', 'T')}Z` : s;
  return Date.parse(plain);
}

function tags(o: Obj, key: string, path: string): void {
  if (o[key] === undefined) return;
  const t = obj(o[key], `${path}.${key}`);
  for (const [k, v] of Object.entries(t)) {
    if (typeof v !== 'string') fail(`${path}.${key}.${k}`, 'tag values must be strings (Tags is {"key": "value"})', v);
  }
}

function answer(o: Obj, key: string, path: string): void {
  if (o[key] !== undefined) obj(o[key], `${path}.${key}`);
}

function unique(ids: Map<string, string>, id: string, path: string): void {
  const first = ids.get(id);
  if (first !== undefined) fail(path, `duplicate ID ${id} (first at ${first})`);
  ids.set(id, path);
}

function validateImage(v: unknown, path: string, ids: Map<string, string>): void {
  const o = obj(v, path);
  knownKeys(o, path, IMAGE_KEYS, ANSWER_HINT);
  unique(ids, reqStr(o, 'ImageId', path), `${path}.ImageId`);
  time(o, 'CreationTime', path, true);
  for (const k of ['ImageName', 'Description', 'ImageFamily', 'OSType', 'OSName', 'Platform', 'Architecture', 'Progress']) optStr(o, k, path);
  optEnum(o, 'Status', path, IMAGE_STATUSES);
  optEnum(o, 'ImageOwnerAlias', path, OWNER_ALIASES);
  optNum(o, 'Size', path);
  optNum(o, 'ImageOwnerId', path);
  optNum(o, 'usedByInstances', path);
  optBool(o, 'IsCopied', path);
  optBool(o, 'isPublic', path);
  tags(o, 'Tags', path);
  answer(o, 'answer', path);
  if (o.busy !== null) optEnum(o, 'busy', path, BUSY_KINDS);
  optArr(o, 'sharedWith', path).forEach((s, i) => {
    const p = `${path}.sharedWith[${i}]`;
    if (typeof s === 'string' && s !== '') return;
    const a = obj(s, p);
    knownKeys(a, p, ['AliyunId', 'SharedTime']);
    reqStr(a, 'AliyunId', p);
    time(a, 'SharedTime', p, false);
  });
  optArr(o, 'DiskDeviceMappings', path).forEach((d, i) => {
    const p = `${path}.DiskDeviceMappings[${i}]`;
    const m = obj(d, p);
    knownKeys(m, p, ['Device', 'Size', 'SnapshotId', 'Type']);
    for (const k of ['Device', 'SnapshotId', 'Type']) optStr(m, k, p);
    if (m.Size !== undefined && typeof m.Size !== 'number' && typeof m.Size !== 'string') fail(`${p}.Size`, 'expected a number or string', m.Size);
  });
  if (o.ehpc !== undefined) {
    const p = `${path}.ehpc`;
    const e = obj(o.ehpc, p);
    knownKeys(e, p, EHPC_KEYS);
    for (const k of ['osTag', 'baseOsTag', 'platform', 'version']) optStr(e, k, p);
    optBool(e, 'instantRegistered', p);
    optBool(e, 'usedByJobs', p);
    optEnum(e, 'imageType', p, ['VM', 'Container']);
    time(e, 'registeredAt', p, false);
    answer(e, 'answer', p);
    answer(e, 'instantAnswer', p);
  }
}

function validatePipeline(v: unknown, path: string, ids: Map<string, string>, execIds: Map<string, string>): void {
  const o = obj(v, path);
  knownKeys(o, path, PIPELINE_KEYS, ANSWER_HINT);
  unique(ids, reqStr(o, 'ImagePipelineId', path), `${path}.ImagePipelineId`);
  time(o, 'CreationTime', path, true);
  for (const k of ['Name', 'Description', 'BaseImageType', 'BaseImage', 'ImageName', 'ImageFamily']) optStr(o, k, path);
  tags(o, 'Tags', path);
  answer(o, 'answer', path);
  optArr(o, 'executions', path).forEach((x, i) => {
    const p = `${path}.executions[${i}]`;
    const e = obj(x, p);
    knownKeys(e, p, EXECUTION_KEYS, ANSWER_HINT);
    unique(execIds, reqStr(e, 'ExecutionId', p), `${p}.ExecutionId`);
    if (typeof e.Status !== 'string' || !(EXECUTION_STATUSES as readonly string[]).includes(e.Status)) {
      fail(`${p}.Status`, `required, expected one of ${EXECUTION_STATUSES.join(', ')}`, e.Status);
    }
    time(e, 'CreationTime', p, true);
    time(e, 'ModifiedTime', p, false);
    optStr(e, 'ImageId', p);
    optStr(e, 'Message', p);
    tags(e, 'Tags', p);
    answer(e, 'answer', p);
  });
}

const LAUNCH_TEMPLATE_KEYS = ['LaunchTemplateId', 'LaunchTemplateName', 'CreateTime', 'DefaultVersionNumber', 'versions', 'answer'];
const LAUNCH_TEMPLATE_VERSION_KEYS = ['VersionNumber', 'ImageId', 'DataDisks', 'VersionDescription', 'CreateTime', 'answer'];
const SCALING_CONFIGURATION_KEYS = ['ScalingConfigurationId', 'ScalingGroupId', 'ScalingConfigurationName', 'ImageId', 'ImageFamily',
  'LifecycleState', 'CreationTime', 'DataDisks', 'answer'];
const SNAPSHOT_KEYS = ['SnapshotId', 'SnapshotName', 'SourceDiskSize', 'CreationTime', 'shared', 'answer'];
const DISK_KEYS = ['DiskId', 'SourceSnapshotId', 'Size', 'Status', 'Type', 'InstanceId', 'answer'];
const EXECUTOR_KEYS = ['ExecutorId', 'Image', 'Status', 'JobId', 'JobName', 'TaskName', 'CreateTime', 'answer'];

function dataDisks(o: Obj, path: string): void {
  optArr(o, 'DataDisks', path).forEach((d, i) => {
    const p = `${path}.DataDisks[${i}]`;
    const disk = obj(d, p);
    knownKeys(disk, p, ['SnapshotId', 'Size', 'Category', 'Device']);
    for (const k of ['SnapshotId', 'Category', 'Device']) optStr(disk, k, p);
    optNum(disk, 'Size', p);
  });
}

/** The in-use references and snapshot fields of a region (README "Launch templates, scaling, snapshots, disks, executors"). */
function validateRegionExtras(region: Obj, p: string, ids: (kind: string) => Map<string, string>): void {
  optArr(region, 'launchTemplates', p).forEach((t, i) => {
    const tp = `${p}.launchTemplates[${i}]`;
    const lt = obj(t, tp);
    knownKeys(lt, tp, LAUNCH_TEMPLATE_KEYS, ANSWER_HINT);
    unique(ids('lt'), `${reqStr(lt, 'LaunchTemplateId', tp)}`, `${tp}.LaunchTemplateId`);
    optStr(lt, 'LaunchTemplateName', tp);
    time(lt, 'CreateTime', tp, false);
    answer(lt, 'answer', tp);
    const numbers = new Set<number>();
    optArr(lt, 'versions', tp).forEach((v, j) => {
      const vp = `${tp}.versions[${j}]`;
      const version = obj(v, vp);
      knownKeys(version, vp, LAUNCH_TEMPLATE_VERSION_KEYS, ANSWER_HINT);
      const n = version.VersionNumber;
      if (!Number.isInteger(n) || (n as number) < 1) fail(`${vp}.VersionNumber`, 'required, expected an integer ≥ 1', n);
      if (numbers.has(n as number)) fail(`${vp}.VersionNumber`, `duplicate version ${String(n)}`);
      numbers.add(n as number);
      optStr(version, 'ImageId', vp);
      optStr(version, 'VersionDescription', vp);
      time(version, 'CreateTime', vp, false);
      dataDisks(version, vp);
      answer(version, 'answer', vp);
    });
    if (lt.DefaultVersionNumber !== undefined && !numbers.has(lt.DefaultVersionNumber as number)) {
      fail(`${tp}.DefaultVersionNumber`, 'expected the VersionNumber of one of its versions', lt.DefaultVersionNumber);
    }
  });
  optArr(region, 'scalingConfigurations', p).forEach((c, i) => {
    const cp = `${p}.scalingConfigurations[${i}]`;
    const sc = obj(c, cp);
    knownKeys(sc, cp, SCALING_CONFIGURATION_KEYS, ANSWER_HINT);
    unique(ids('asc'), `${reqStr(sc, 'ScalingConfigurationId', cp)}`, `${cp}.ScalingConfigurationId`);
    reqStr(sc, 'ScalingGroupId', cp);
    for (const k of ['ScalingConfigurationName', 'ImageId', 'ImageFamily']) optStr(sc, k, cp);
    optEnum(sc, 'LifecycleState', cp, ['Active', 'Inactive']);
    time(sc, 'CreationTime', cp, false);
    dataDisks(sc, cp);
    answer(sc, 'answer', cp);
  });
  optArr(region, 'snapshots', p).forEach((x, i) => {
    const sp = `${p}.snapshots[${i}]`;
    const snap = obj(x, sp);
    knownKeys(snap, sp, SNAPSHOT_KEYS, ANSWER_HINT);
    unique(ids('s'), `${reqStr(snap, 'SnapshotId', sp)}`, `${sp}.SnapshotId`);
    optStr(snap, 'SnapshotName', sp);
    optNum(snap, 'SourceDiskSize', sp);
    time(snap, 'CreationTime', sp, false);
    optBool(snap, 'shared', sp);
    answer(snap, 'answer', sp);
  });
  optArr(region, 'disks', p).forEach((x, i) => {
    const dp = `${p}.disks[${i}]`;
    const disk = obj(x, dp);
    knownKeys(disk, dp, DISK_KEYS, ANSWER_HINT);
    unique(ids('d'), `${reqStr(disk, 'DiskId', dp)}`, `${dp}.DiskId`);
    for (const k of ['SourceSnapshotId', 'Status', 'Type', 'InstanceId']) optStr(disk, k, dp);
    optNum(disk, 'Size', dp);
    answer(disk, 'answer', dp);
  });
  optArr(region, 'executors', p).forEach((x, i) => {
    const ep = `${p}.executors[${i}]`;
    const ex = obj(x, ep);
    knownKeys(ex, ep, EXECUTOR_KEYS, ANSWER_HINT);
    unique(ids('e'), `${reqStr(ex, 'ExecutorId', ep)}`, `${ep}.ExecutorId`);
    reqStr(ex, 'Image', ep);
    if (typeof ex.Status !== 'string' || !(EXECUTOR_STATUSES as readonly string[]).includes(ex.Status)) {
      fail(`${ep}.Status`, `required, expected one of ${EXECUTOR_STATUSES.join(', ')}`, ex.Status);
    }
    for (const k of ['JobId', 'JobName', 'TaskName']) optStr(ex, k, ep);
    time(ex, 'CreateTime', ep, false);
    answer(ex, 'answer', ep);
  });
}

function validateWuyingImage(v: unknown, path: string, ids: Map<string, string>): void {
  const o = obj(v, path);
  knownKeys(o, path, WUYING_KEYS, ANSWER_HINT);
  unique(ids, reqStr(o, 'ImageId', path), `${path}.ImageId`);
  time(o, 'GmtCreate', path, true);
  time(o, 'GmtModified', path, false);
  for (const k of ['ImageName', 'Description', 'Status', 'ImageType', 'ProductType', 'OsType', 'PlatformName']) optStr(o, k, path);
  optBool(o, 'inUse', path);
  optBool(o, 'shared', path);
  answer(o, 'answer', path);
}

/** Validates `behaviour` (also used for PUT /_emulator/behaviour after merging the patch). */
export function validateBehaviour(v: unknown, path = 'behaviour'): Behaviour {
  if (v === undefined) return {};
  const b = obj(v, path);
  const known = ['qps', 'latencyMs', 'faults', 'deleteMissingImage', 'deleteMissingSnapshot', 'paging', 'errors', 'forceDeletesSharedImage',
    'imageIdListsAllStatuses', 'unknownRegion', 'timestampWindowMinutes'];
  for (const k of Object.keys(b)) if (!known.includes(k)) fail(`${path}.${k}`, `unknown behaviour (known: ${known.join(', ')})`);
  if (b.qps !== undefined) {
    const q = obj(b.qps, `${path}.qps`);
    for (const k of Object.keys(q)) {
      const n = q[k];
      if (typeof n !== 'number' || !(n > 0)) fail(`${path}.qps.${k}`, 'expected a number > 0 (requests per second)', n);
    }
  }
  if (b.latencyMs !== undefined && typeof b.latencyMs !== 'number') {
    const l = obj(b.latencyMs, `${path}.latencyMs`);
    for (const k of Object.keys(l)) optNum(l, k, `${path}.latencyMs`);
  } else {
    optNum(b, 'latencyMs', path);
  }
  if (b.faults !== undefined) {
    const p = `${path}.faults`;
    const f = obj(b.faults, p);
    knownKeys(f, p, ['rate', 'kinds', 'seed', 'actions', 'malformedStatus', 'throttleRetryAfterMs']);
    if (typeof f.rate !== 'number' || f.rate < 0 || f.rate > 1) fail(`${p}.rate`, 'required, expected a number in [0, 1]', f.rate);
    arr(f.kinds, `${p}.kinds`).forEach((k, i) => {
      if (typeof k !== 'string' || !(FAULT_KINDS as readonly string[]).includes(k)) fail(`${p}.kinds[${i}]`, `expected one of ${FAULT_KINDS.join(', ')}`, k);
    });
    if ((f.rate as number) > 0 && (f.kinds as unknown[]).length === 0) fail(`${p}.kinds`, 'rate > 0 needs at least one kind');
    if (f.seed !== undefined && !Number.isInteger(f.seed)) fail(`${p}.seed`, 'expected an integer', f.seed);
    optArr(f, 'actions', p).forEach((a, i) => { if (typeof a !== 'string') fail(`${p}.actions[${i}]`, 'expected an action name', a); });
    if (f.malformedStatus !== undefined && f.malformedStatus !== 200 && f.malformedStatus !== 502) fail(`${p}.malformedStatus`, 'expected 200 or 502', f.malformedStatus);
    optNum(f, 'throttleRetryAfterMs', p, 1);
  }
  optEnum(b, 'deleteMissingImage', path, ['error', 'ignore']);
  optEnum(b, 'deleteMissingSnapshot', path, ['error', 'ignore']);
  optEnum(b, 'unknownRegion', path, ['empty', 'error']);
  optBool(b, 'forceDeletesSharedImage', path);
  optBool(b, 'imageIdListsAllStatuses', path);
  optNum(b, 'timestampWindowMinutes', path, 0);
  if (b.paging !== undefined) {
    const pg = obj(b.paging, `${path}.paging`);
    const flags = ['duplicateAcrossPages', 'lyingTotalCount', 'emptyPageBeforeEnd', 'hugePage', 'omitFinalNextToken'];
    for (const k of Object.keys(pg)) {
      if (!flags.includes(k)) fail(`${path}.paging.${k}`, `unknown paging anomaly (known: ${flags.join(', ')})`);
      optBool(pg, k, `${path}.paging`);
    }
  }
  optArr(b, 'errors', path).forEach((x, i) => {
    const p = `${path}.errors[${i}]`;
    const e = obj(x, p);
    knownKeys(e, p, ['action', 'status', 'code', 'message', 'region', 'params', 'times']);
    reqStr(e, 'action', p);
    reqStr(e, 'code', p);
    if (!Number.isInteger(e.status) || (e.status as number) < 400 || (e.status as number) > 599) fail(`${p}.status`, 'required, expected an HTTP status 400..599', e.status);
    optStr(e, 'message', p);
    optStr(e, 'region', p);
    optNum(e, 'times', p);
    if (e.params !== undefined) tags(e, 'params', p);
  });
  return b as Behaviour;
}

/** Validates a parsed fleet; returns it typed. Throws FleetError naming the bad field. */
export function validateFleet(v: unknown): Fleet {
  const f = obj(v, 'fleet');
  const known = ['accountId', 'credentials', 'regions', 'wuying', 'behaviour'];
  for (const k of Object.keys(f)) if (!known.includes(k)) fail(k, `unknown top-level field (known: ${known.join(', ')})`);
  optStr(f, 'accountId', 'fleet');
  if (typeof f.accountId === 'string' && !/^\d{1,16}$/.test(f.accountId)) fail('accountId', 'expected up to 16 digits', f.accountId);
  optArr(f, 'credentials', 'fleet').forEach((c, i) => {
    const p = `credentials[${i}]`;
    const o = obj(c, p);
    knownKeys(o, p, ['accessKeyId', 'accessKeySecret', 'securityToken']);
    reqStr(o, 'accessKeyId', p);
    reqStr(o, 'accessKeySecret', p);
    optStr(o, 'securityToken', p);
  });
  const regions = obj(f.regions, 'regions');
  const imageIds = new Map<string, string>();
  const pipelineIds = new Map<string, string>();
  const execIds = new Map<string, string>();
  const extraIds = new Map<string, Map<string, string>>();
  const idsOf = (kind: string): Map<string, string> => {
    let m = extraIds.get(kind);
    if (m === undefined) extraIds.set(kind, (m = new Map()));
    return m;
  };
  const regionKeys = ['images', 'pipelines', 'launchTemplates', 'scalingConfigurations', 'snapshots', 'disks', 'executors'];
  for (const [name, r] of Object.entries(regions)) {
    const p = `regions.${name}`;
    if (!/^[a-z0-9-]+$/.test(name)) fail(p, 'region names look like cn-hangzhou');
    const region = obj(r, p);
    for (const k of Object.keys(region)) if (!regionKeys.includes(k)) fail(`${p}.${k}`, `unknown region field (known: ${regionKeys.join(', ')})`);
    optArr(region, 'images', p).forEach((img, i) => validateImage(img, `${p}.images[${i}]`, imageIds));
    optArr(region, 'pipelines', p).forEach((pl, i) => validatePipeline(pl, `${p}.pipelines[${i}]`, pipelineIds, execIds));
    validateRegionExtras(region, p, idsOf);
  }
  if (f.wuying !== undefined) {
    const w = obj(f.wuying, 'wuying');
    knownKeys(w, 'wuying', ['images']);
    const ids = new Map<string, string>();
    optArr(w, 'images', 'wuying').forEach((img, i) => validateWuyingImage(img, `wuying.images[${i}]`, ids));
  }
  validateBehaviour(f.behaviour);
  return f as unknown as Fleet;
}

/** Reads and validates a fleet file; errors name the file and the bad field. */
export function loadFleetFile(path: string): Fleet {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new FleetError(`fleet file ${path}: cannot read it (${(e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new FleetError(`fleet file ${path}: not valid JSON (${(e as Error).message})`);
  }
  try {
    return validateFleet(json);
  } catch (e) {
    if (e instanceof FleetError) throw new FleetError(`fleet file ${path}: ${e.message}`);
    throw e;
  }
}
