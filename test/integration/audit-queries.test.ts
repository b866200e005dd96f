/**
 * The audit queries and alert rules, checked against real log output of the collector: the CLI
 * (in-process, `run --log FILE`) and the FC handler run against the emulator with refusals,
 * failures, caps, a deadline and a bad trigger; then `gc audit` answers over the file, and the
 * answers are compared with what the emulator saw and what the runs reported. The same lines
 * check the field catalogue the SLS index is built from (functions/audit/fields.ts).
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERTS } from '../../functions/audit/alerts.js';
import { COMMON_FIELDS, EVENT_FIELDS, indexedFields, type FieldType } from '../../functions/audit/fields.js';
import { parseAuditLog, type AuditLine } from '../../functions/audit/log-file.js';
import { QUERIES } from '../../functions/audit/queries.js';
import { fieldsIn } from '../../functions/audit/sls.js';
import type { FcContext } from '../../functions/fc-types.js';
import { createHandler } from '../../functions/handler.js';
import { EVENTS } from '../../functions/report/audit-log.js';
import type { Emulator, Fleet, FleetImage } from '../emulator/index.js';
import { TEST_KEY, cli, emulatorWith, envFor, logSink, tempDir, writePolicy } from '../support/e2e.js';
import { ECS_POLICY, E2E_NOW, ago, ecsFleet } from '../support/fleets.js';

type Rows = Array<Record<string, unknown>>;
const NOW = ['--now', E2E_NOW.toISOString()];
const dir = tempDir('image-gc-audit-');
const LOG = join(dir, 'audit.jsonl');
const KILLED_LOG = join(dir, 'killed.jsonl');
const STALLED_LOG = join(dir, 'stalled.jsonl');
const FORBIDDEN = { status: 403, code: 'Forbidden.RAM' };

let emu: Emulator;
const deleteCalls: Array<{ id: string; status: number }> = [];
const runIds: Record<string, string> = {};

/** `gc audit --log FILE ... --json`, parsed. */
async function audit(args: readonly string[], log = LOG): Promise<Rows> {
  const r = await cli(['audit', '--log', log, ...args, '--json'], {});
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as Rows;
}

async function run(name: string, policyYaml: string, log = LOG): Promise<void> {
  const r = await cli(['run', '--policy', writePolicy(dir, policyYaml, `${name}.yaml`), ...NOW, '--log', log], envFor(emu));
  expect(r.code, r.stderr).toBeLessThan(2);
  const lines = parseAuditLog(readFileSync(log, 'utf8')).lines;
  runIds[name] = lines.at(-1)?.runId ?? '';
}

/** ECS fleet plus an image being copied (DeleteImage refuses it). */
function troubledFleet(): Fleet {
  const fleet = ecsFleet();
  fleet.regions['cn-hangzhou']?.images?.push({ ImageId: 'm-hzcopy', ImageName: 'build-hz-copy', CreationTime: ago(150), ImageFamily: 'app', busy: 'copying' });
  fleet.behaviour = {
    errors: [
      { action: 'DeleteImage', ...FORBIDDEN, params: { ImageId: 'm-hzbuild5' } },
      { action: 'DescribeImages', ...FORBIDDEN, region: 'cn-shanghai', times: 1 },
      { action: 'DescribeLaunchTemplates', ...FORBIDDEN, region: 'cn-shanghai', times: 1 },
    ],
  };
  return fleet;
}

const realNowImage = (id: string, days: number): FleetImage => ({ ImageId: id, ImageName: `build-${id}`, CreationTime: ago(days, new Date()), Status: 'Available', ImageFamily: 'app', Size: 30 });

function fcContext(timeout: number): FcContext {
  return { requestId: 'c0ffee00-0000-4000-8000-00000000aaaa', credentials: { ...TEST_KEY, securityToken: '' }, function: { name: 'image-gc', handler: 'index.handler', memory: 512, timeout }, region: 'cn-hangzhou', accountId: '1234567890123456' };
}

/** The FC handler, its lines appended to the log: a bad payload, an ignored ask for enforce, a deadline. */
async function handlerRuns(): Promise<void> {
  const hz = ECS_POLICY.replace('regions: [cn-hangzhou, cn-shanghai]', 'regions: [cn-hangzhou]');
  const saved = { ...process.env };
  const invoke = async (policy: string, payload: string, timeout = 600) => {
    Object.assign(process.env, { IMAGE_GC_ENDPOINT: emu.url, IMAGE_GC_POLICY: writePolicy(dir, policy, 'handler.yaml') });
    const sink = logSink();
    const event = Buffer.from(JSON.stringify({ triggerTime: new Date().toISOString(), triggerName: 'nightly', payload }));
    await createHandler({ destination: sink.destination })(event, fcContext(timeout)).catch(() => undefined);
    appendFileSync(LOG, sink.raw.map((l) => `${l}\n`).join(''));
    return sink.lines[0]?.['runId'] as string;
  };
  try {
    emu.loadFleet({ credentials: [TEST_KEY], regions: { 'cn-hangzhou': { images: [realNowImage('m-new', 1), realNowImage('m-old1', 40), realNowImage('m-old2', 50)] } } });
    runIds['rejected'] = await invoke(hz, '{"maxDeletionsPerRun": 1000}');
    runIds['warned'] = await invoke(hz.replace('mode: enforce', 'mode: dry-run'), '{"mode":"enforce"}');
    // A 30 s function keeps a 30 s margin: the deadline has passed before the first deletion.
    runIds['deadline'] = await invoke(hz, '{}', 30);
  } finally {
    process.env = saved;
  }
}

beforeAll(async () => {
  emu = await emulatorWith(troubledFleet());
  // 1: refusals, a failure, a failed listing and lookup, the deletion cap; 2: the rest goes, snapshots too.
  await run('capped', ECS_POLICY.replace('maxDeletionsPerRun: 100', 'maxDeletionsPerRun: 3'));
  await run('clean', ECS_POLICY.replace('keep: { newest: 2, youngerThan: 15d }', 'keep: { newest: 2, youngerThan: 15d }\n    deleteSnapshots: true'));
  await run('aborted', ECS_POLICY.replace('maxDeletionPercent: 100', 'maxDeletionPercent: 1').replace('newest: 2', 'newest: 1'));
  for (const c of emu.calls().filter((c) => c.action === 'DeleteImage')) deleteCalls.push({ id: c.params['ImageId'] ?? '', status: c.status });
  await handlerRuns();
  // A run killed mid-way (FC's timeout, a crash) leaves its lines without a run.finish. A
  // dry-run, so that what was deleted stays what the finished runs reported.
  emu.loadFleet({ ...ecsFleet(), credentials: [TEST_KEY] });
  await run('killed', ECS_POLICY.replace('mode: enforce', 'mode: dry-run'), KILLED_LOG);
  const kept = readFileSync(KILLED_LOG, 'utf8').split('\n').filter((l) => l !== '' && !l.includes('"event":"run.finish"'));
  appendFileSync(LOG, kept.map((l) => `${l}\n`).join(''));
  // Every candidate refused (being copied): an enforce run that deletes nothing.
  emu.loadFleet({ credentials: [TEST_KEY], regions: { 'cn-hangzhou': { images: ['m-c1', 'm-c2'].map((id, i) => ({ ImageId: id, ImageName: `build-${id}`, CreationTime: ago(60 + i), busy: 'copying' as const })) } } });
  await run('stalled', ECS_POLICY.replace('regions: [cn-hangzhou, cn-shanghai]', 'regions: [cn-hangzhou]').replace('newest: 2, ', ''), STALLED_LOG);
}, 120_000);
afterAll(async () => {
  await emu.close();
});

const lines = (): readonly AuditLine[] => parseAuditLog(readFileSync(LOG, 'utf8') + readFileSync(STALLED_LOG, 'utf8')).lines;
const finishOf = (name: string) => lines().find((l) => l.event === 'run.finish' && l.runId === runIds[name]) as AuditLine;

describe('gc audit, over real log lines', () => {
  it('deleted: exactly the items DeleteImage removed, with their rule', async () => {
    const rows = await audit(['deleted']);
    const removed = deleteCalls.filter((c) => c.status === 200).map((c) => c.id);
    expect(rows.map((r) => r['id']).sort()).toEqual([...removed].sort());
    expect(rows.length).toBeGreaterThan(3);
    expect(new Set(rows.map((r) => r['rule']))).toEqual(new Set(['builds']));
    expect(rows.map((r) => r['run_id'])).toEqual(expect.arrayContaining([runIds['capped'], runIds['clean']]));
    // --since: only what later runs deleted.
    const since = lines().find((l) => l.runId === runIds['clean'])?.time as string;
    const later = await audit(['deleted', '--since', since]);
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((r) => r['run_id'] !== runIds['capped'])).toBe(true);
    expect(await audit(['deleted', '--until', '2000-01-01T00:00:00Z'])).toEqual([]);
  });

  it('why: every decision about one image, run after run', async () => {
    const rows = await audit(['why', '--id', 'm-hzbuild2']);
    const byRun = Object.fromEntries(rows.map((r) => [r['run_id'], r]));
    expect(byRun[runIds['capped'] as string]).toMatchObject({ decision: 'defer', rule: 'builds', reasons: expect.stringContaining('max-deletions-per-run') });
    expect(byRun[runIds['clean'] as string]).toMatchObject({ decision: 'delete', rule: 'builds' });
    expect((await audit(['why', '--id', 'm-hzinuse']))[0]).toMatchObject({ decision: 'protect', rule: null, reasons: 'in-use' });
  });

  it('failures: every refusal and failure with its code', async () => {
    const rows = await audit(['failures']);
    const pick = (r: Record<string, unknown>) => [r['event'], r['id'] ?? r['region'], r['outcome'], r['code']];
    expect(rows.map(pick)).toEqual(
      expect.arrayContaining([
        ['item.outcome', 'm-hzcopy', 'refused', 'OperationDenied.ImageCopying'],
        ['item.outcome', 'm-hzbuild5', 'failed', 'Forbidden.RAM'],
        ['inventory.failed', 'cn-shanghai', null, 'Forbidden.RAM'],
        ['references.failed', 'cn-shanghai', null, 'Forbidden.RAM'],
        ['group.aborted', 'cn-hangzhou', null, 'maxDeletionPercent'],
        ['run.rejected', null, null, 'bad trigger event or environment'],
      ]),
    );
    // Each refused or failed DeleteImage the emulator answered is there.
    const refusedIds = deleteCalls.filter((c) => c.status !== 200).map((c) => c.id);
    for (const id of refusedIds) expect(rows.some((r) => r['id'] === id)).toBe(true);
  });

  it('reclaimed: per day, what the runs reported', async () => {
    const rows = await audit(['reclaimed']);
    const finishes = lines().filter((l) => l.event === 'run.finish');
    const sum = (path: string) => finishes.reduce((a, l) => a + Number((l['storage'] as Record<string, number>)[path]), 0);
    const total = (col: string) => rows.reduce((a, r) => a + Number(r[col]), 0);
    expect(total('images_deleted')).toBe(sum('imagesDeleted'));
    expect(total('image_gib')).toBeCloseTo(sum('imageGiB'));
    expect(total('snapshots_deleted')).toBe(sum('snapshotsDeleted'));
    expect(total('snapshot_gib')).toBeCloseTo(sum('snapshotGiB'));
    expect(total('snapshots_deleted')).toBeGreaterThan(0);
  });

  it('unfinished: the run with no run.finish and the one the deadline cut short, nothing else', async () => {
    const rows = await audit(['unfinished']);
    expect(rows.map((r) => [r['run_id'], r['why']]).sort()).toEqual(
      [
        [runIds['killed'], 'no run.finish'],
        [runIds['deadline'], 'completed=false'],
      ].sort(),
    );
    const cutShort = finishOf('deadline')['leftByDeadline'];
    expect(cutShort).toBeGreaterThan(0);
    expect(rows.find((r) => r['run_id'] === runIds['deadline'])).toMatchObject({ mode: 'enforce', left_by_deadline: cutShort });
  });

  it('runs: one row per run.finish, as the run reported it', async () => {
    const rows = await audit(['runs']);
    expect(rows.map((r) => r['run_id'])).toEqual(lines().filter((l) => l.event === 'run.finish' && l.runId !== runIds['stalled']).map((l) => l.runId));
    const deferred = (finishOf('capped')['decisions'] as Record<string, number>)['defer'];
    expect(deferred).toBeGreaterThan(0);
    expect(rows.find((r) => r['run_id'] === runIds['capped'])).toMatchObject({ mode: 'enforce', deferred, failed: 1, refused: 1, completed: true, exit_status: 1 });
  });

  it('alerts: failures and the deletion cap per run; stalled only after N days of enforce runs', async () => {
    const r = await cli(['audit', '--log', LOG, 'alerts', '--json'], {});
    expect(r.code).toBe(1);
    const fired = Object.fromEntries((JSON.parse(r.stdout) as Array<{ name: string; rows: Rows }>).map((a) => [a.name, a.rows]));
    expect(fired['image-gc-run-failures']?.map((x) => x['run_id']).sort()).toEqual([runIds['capped'], runIds['clean'], runIds['rejected']].sort());
    expect(fired['image-gc-deletion-cap']?.map((x) => x['run_id'])).toEqual([runIds['capped']]);
    expect(fired['image-gc-stalled']).toEqual([]);

    const stalled = async (...args: string[]) => (await cli(['audit', '--log', STALLED_LOG, 'alerts', '--json', ...args], {})).stdout;
    const rowsOf = (out: string) => (JSON.parse(out) as Array<{ name: string; rows: Rows }>).find((a) => a.name === 'image-gc-stalled')?.rows;
    expect(rowsOf(await stalled('--days', '1'))).toEqual([{ runs: 1, days: 1, deleted: 0, candidates: 2 }]);
    expect(rowsOf(await stalled('--days', '2'))).toEqual([]); // one day of runs is not two
    expect(rowsOf(await stalled('--days', '1', '--now', '2100-01-01T00:00:00Z'))).toEqual([]); // the run is out of the window
  });

  it('prints the SLS query instead (no --log needed), and refuses a parameter that would break out of it', async () => {
    const r = await cli(['audit', 'why', '--id', 'm-hzbuild2', '--sls'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('message.id: "m-hzbuild2"');
    expect((await cli(['audit', 'why', '--id', 'm-1" or message.app: "x', '--sls'], {})).code).toBe(2);
    expect((await cli(['audit', 'deleted'], {})).code).toBe(2);
    expect((await cli(['audit', '--log', join(dir, 'missing.jsonl'), 'deleted'], {})).code).toBe(2);
  });
});

/** A line's leaves by dotted path, as SLS names JSON keys; arrays are leaves (SLS cannot index them). */
function leaves(value: unknown, at = ''): Array<[string, unknown]> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return Object.entries(value).flatMap(([k, v]) => leaves(v, at === '' ? k : `${at}.${k}`));
  return [[at, value]];
}

const typeOk = (type: FieldType, v: unknown) =>
  v === null || { text: typeof v === 'string', long: Number.isInteger(v), double: typeof v === 'number', bool: typeof v === 'boolean', array: Array.isArray(v) }[type];

describe('the field catalogue (SLS index) against what the logger writes', () => {
  it('the scenarios above produce every event', () => {
    expect(new Set(lines().map((l) => l.event))).toEqual(new Set(Object.values(EVENTS)));
  });

  it('every field of every line is catalogued for its event, with its type', () => {
    const wrong = new Set<string>();
    for (const line of lines()) {
      const declared = { ...COMMON_FIELDS, ...EVENT_FIELDS[line.event as keyof typeof EVENT_FIELDS] };
      for (const [path, v] of leaves(line)) {
        const spec = declared[path];
        if (!spec) wrong.add(`${line.event}: ${path} is not in functions/audit/fields.ts`);
        else if (!typeOk(spec.type, v)) wrong.add(`${line.event}: ${path} is ${spec.type} in fields.ts but the logger wrote ${JSON.stringify(v)}`);
      }
    }
    expect([...wrong]).toEqual([]);
  });

  it('every catalogued field that is always written was written', () => {
    const missing: string[] = [];
    for (const [event, fields] of Object.entries(EVENT_FIELDS)) {
      const seen = new Set(lines().filter((l) => l.event === event).flatMap((l) => leaves(l).map(([p]) => p)));
      for (const [name, spec] of Object.entries({ ...COMMON_FIELDS, ...fields })) if (!spec.optional && !seen.has(name)) missing.push(`${event}: ${name}`);
    }
    expect(missing).toEqual([]);
  });

  it('every field a saved query or alert reads is indexed and really written', () => {
    const indexed = indexedFields();
    const written = new Set(lines().flatMap((l) => leaves(l).map(([p]) => p)));
    for (const q of [...QUERIES, ...ALERTS]) {
      for (const name of fieldsIn(q.sls)) {
        expect(indexed.has(name), `${q.name} reads message.${name}, which the index lacks`).toBe(true);
        expect(written.has(name), `${q.name} reads message.${name}, which no log line carries`).toBe(true);
      }
    }
  });
});
