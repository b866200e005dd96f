/**
 * The saved audit queries: each question once, as SLS query + SQL text (for the logstore,
 * policies/sls/queries.json) and as a local implementation over a file of the same lines
 * (`gc audit --log FILE <name>`), side by side so the two cannot drift apart. Both return the
 * same columns; the SQL names them with `AS`. Field meanings: functions/audit/fields.ts.
 */
import { field, num, text, type AuditLine } from './log-file.js';
import { APP, byTime, round3, type Row } from './sls.js';

export interface QueryParams {
  readonly id?: string;
  /** Local only: SLS takes the time range from the console's time picker. */
  readonly since?: string;
  readonly until?: string;
}

export interface AuditQuery {
  readonly name: string;
  readonly title: string;
  /** The question it answers, for the console and `--help`. */
  readonly question: string;
  /** `${name}` placeholders in `sls` that must be filled in. */
  readonly params: readonly ('id')[];
  readonly columns: readonly string[];
  readonly sls: string;
  run(lines: readonly AuditLine[], params: QueryParams): Row[];
}

const is = (line: AuditLine, event: string, ...outcomes: string[]) => line.event === event && (outcomes.length === 0 || outcomes.includes(String(line['outcome'])));
const inRange = (line: AuditLine, p: QueryParams) => (p.since === undefined || line.time >= p.since) && (p.until === undefined || line.time < p.until);

export const deleted: AuditQuery = {
  name: 'deleted',
  title: 'Deleted, and by which rule',
  question: 'What did image-gc delete in a time range, and under which rule? (images and pipelines; the snapshots deleted with them are in `reclaimed`)',
  params: [],
  columns: ['ts', 'run_id', 'kind', 'region', 'id', 'name', 'rule', 'gib'],
  sls: `${APP} and message.event: "item.outcome" and message.outcome: "deleted" | SELECT "message.time" AS ts, "message.runId" AS run_id, "message.kind" AS kind, "message.region" AS region, "message.id" AS id, "message.name" AS name, "message.rule" AS rule, "message.gibReclaimed" AS gib ORDER BY ts LIMIT 10000`,
  run: (lines, p) =>
    lines
      .filter((l) => is(l, 'item.outcome', 'deleted') && inRange(l, p))
      .sort(byTime)
      .map((l) => ({ ts: l.time, run_id: l.runId, kind: text(l, 'kind'), region: text(l, 'region'), id: text(l, 'id'), name: text(l, 'name'), rule: text(l, 'rule'), gib: num(l, 'gibReclaimed') })),
};

export const why: AuditQuery = {
  name: 'why',
  title: 'Why an image was kept (or not)',
  question: 'Every decision image-gc made about one image or pipeline, run after run, with the rule and reasons.',
  params: ['id'],
  columns: ['ts', 'run_id', 'mode', 'kind', 'region', 'decision', 'rule', 'reasons', 'detail'],
  sls: `${APP} and message.event: "item.decision" and message.id: "\${id}" | SELECT "message.time" AS ts, "message.runId" AS run_id, "message.mode" AS mode, "message.kind" AS kind, "message.region" AS region, "message.decision" AS decision, "message.rule" AS rule, "message.reasons" AS reasons, "message.detail" AS detail ORDER BY ts LIMIT 1000`,
  run: (lines, p) =>
    lines
      .filter((l) => l.event === 'item.decision' && l['id'] === p.id)
      .sort(byTime)
      .map((l) => ({ ts: l.time, run_id: l.runId, mode: text(l, 'mode'), kind: text(l, 'kind'), region: text(l, 'region'), decision: text(l, 'decision'), rule: text(l, 'rule'), reasons: text(l, 'reasons'), detail: text(l, 'detail') })),
};

const FAILURE_EVENTS = ['inventory.failed', 'references.failed', 'group.aborted', 'run.rejected'];
const isFailure = (l: AuditLine) => is(l, 'item.outcome', 'failed', 'refused') || is(l, 'snapshot.outcome', 'failed', 'refused') || FAILURE_EVENTS.includes(l.event);

export const failures: AuditQuery = {
  name: 'failures',
  title: 'Failures and refusals',
  question: 'Every failure and refusal, with its code: deletions the API refused or that failed, listings and in-use lookups that failed, groups aborted by maxDeletionPercent, runs rejected.',
  params: [],
  columns: ['ts', 'run_id', 'event', 'kind', 'region', 'id', 'outcome', 'code', 'detail'],
  sls:
    `${APP} and (((message.event: "item.outcome" or message.event: "snapshot.outcome") and (message.outcome: "failed" or message.outcome: "refused")) or message.event: "inventory.failed" or message.event: "references.failed" or message.event: "group.aborted" or message.event: "run.rejected")` +
    ` | SELECT "message.time" AS ts, "message.runId" AS run_id, "message.event" AS event, "message.kind" AS kind, "message.region" AS region, coalesce("message.snapshotId", "message.id") AS id, "message.outcome" AS outcome, CASE WHEN "message.event" = 'group.aborted' THEN 'maxDeletionPercent' ELSE coalesce("message.code", "message.reason") END AS code, "message.msg" AS detail ORDER BY ts LIMIT 1000`,
  run: (lines) =>
    lines
      .filter(isFailure)
      .sort(byTime)
      .map((l) => ({
        ts: l.time,
        run_id: l.runId,
        event: l.event,
        kind: text(l, 'kind'),
        region: text(l, 'region'),
        id: text(l, 'snapshotId') ?? text(l, 'id'),
        outcome: text(l, 'outcome'),
        code: l.event === 'group.aborted' ? 'maxDeletionPercent' : (text(l, 'code') ?? text(l, 'reason')),
        detail: text(l, 'msg'),
      })),
};

export const reclaimed: AuditQuery = {
  name: 'reclaimed',
  title: 'GiB reclaimed per day',
  question: 'Per day (UTC, by the line time): images deleted and their nominal GiB, snapshots deleted and their GiB. An ECS image frees no storage by itself: its snapshots hold it.',
  params: [],
  columns: ['day', 'images_deleted', 'image_gib', 'snapshots_deleted', 'snapshot_gib'],
  sls:
    `${APP} and (message.event: "item.outcome" or message.event: "snapshot.outcome") and message.outcome: "deleted"` +
    ` | SELECT substr("message.time", 1, 10) AS day, count_if("message.event" = 'item.outcome') AS images_deleted, round(sum(CASE WHEN "message.event" = 'item.outcome' THEN "message.gibReclaimed" ELSE 0 END), 3) AS image_gib, count_if("message.event" = 'snapshot.outcome') AS snapshots_deleted, round(sum(CASE WHEN "message.event" = 'snapshot.outcome' THEN "message.gibReclaimed" ELSE 0 END), 3) AS snapshot_gib GROUP BY day ORDER BY day LIMIT 1000`,
  run: (lines) => {
    const days = new Map<string, { images_deleted: number; image_gib: number; snapshots_deleted: number; snapshot_gib: number }>();
    for (const l of lines) {
      const image = is(l, 'item.outcome', 'deleted');
      if (!image && !is(l, 'snapshot.outcome', 'deleted')) continue;
      const day = l.time.slice(0, 10);
      const d = days.get(day) ?? { images_deleted: 0, image_gib: 0, snapshots_deleted: 0, snapshot_gib: 0 };
      if (image) {
        d.images_deleted++;
        d.image_gib += num(l, 'gibReclaimed');
      } else {
        d.snapshots_deleted++;
        d.snapshot_gib += num(l, 'gibReclaimed');
      }
      days.set(day, d);
    }
    return [...days].sort(([a], [b]) => a.localeCompare(b)).map(([day, d]) => ({ day, ...d, image_gib: round3(d.image_gib), snapshot_gib: round3(d.snapshot_gib) }));
  },
};

export const unfinished: AuditQuery = {
  name: 'unfinished',
  title: 'Runs that did not finish',
  question: 'Runs with a run.start and no run.finish (killed at the timeout, crashed, or still running), or a run.finish with completed=false (the deadline left work for the next run).',
  params: [],
  columns: ['run_id', 'started', 'mode', 'finished_at', 'left_by_deadline', 'why'],
  sls:
    `${APP} and (message.event: "run.start" or message.event: "run.finish")` +
    ` | SELECT run_id, started, mode, finished_at, left_by_deadline, CASE WHEN finished_at IS NULL THEN 'no run.finish' ELSE 'completed=false' END AS why FROM (` +
    `SELECT "message.runId" AS run_id, min(CASE WHEN "message.event" = 'run.start' THEN "message.time" END) AS started, max(CASE WHEN "message.event" = 'run.start' THEN "message.mode" END) AS mode, max(CASE WHEN "message.event" = 'run.finish' THEN "message.time" END) AS finished_at, max(CASE WHEN "message.event" = 'run.finish' THEN "message.completed" END) AS completed, max(CASE WHEN "message.event" = 'run.finish' THEN "message.leftByDeadline" END) AS left_by_deadline FROM log GROUP BY "message.runId"` +
    `) WHERE finished_at IS NULL OR completed = 'false' ORDER BY started LIMIT 1000`,
  run: (lines) => {
    const runs = new Map<string, { start?: AuditLine; finish?: AuditLine }>();
    for (const l of lines) {
      if (l.event !== 'run.start' && l.event !== 'run.finish') continue;
      const r = runs.get(l.runId) ?? {};
      if (l.event === 'run.start') r.start = l;
      else r.finish = l;
      runs.set(l.runId, r);
    }
    return [...runs]
      .filter(([, r]) => r.finish === undefined || field(r.finish, 'completed') === false)
      .map(([runId, r]) => ({
        run_id: runId,
        started: r.start?.time ?? null,
        mode: r.start ? text(r.start, 'mode') : null,
        finished_at: r.finish?.time ?? null,
        left_by_deadline: r.finish ? num(r.finish, 'leftByDeadline') : null,
        why: r.finish === undefined ? 'no run.finish' : 'completed=false',
      }))
      .sort((a, b) => String(a.started ?? '').localeCompare(String(b.started ?? '')));
  },
};

export const runs: AuditQuery = {
  name: 'runs',
  title: 'Runs',
  question: 'One line per finished run: mode, what it listed, decided and did.',
  params: [],
  columns: ['ts', 'run_id', 'mode', 'listed', 'to_delete', 'deferred', 'deleted', 'failed', 'refused', 'snapshot_gib', 'completed', 'exit_status'],
  sls: `${APP} and message.event: "run.finish" | SELECT "message.time" AS ts, "message.runId" AS run_id, "message.mode" AS mode, "message.listed" AS listed, "message.decisions.delete" AS to_delete, "message.decisions.defer" AS deferred, "message.outcomes.deleted" AS deleted, "message.outcomes.failed" AS failed, "message.outcomes.refused" AS refused, "message.storage.snapshotGiB" AS snapshot_gib, "message.completed" AS completed, "message.exitStatus" AS exit_status ORDER BY ts LIMIT 1000`,
  run: (lines) =>
    lines
      .filter((l) => l.event === 'run.finish')
      .sort(byTime)
      .map((l) => ({
        ts: l.time,
        run_id: l.runId,
        mode: text(l, 'mode'),
        listed: num(l, 'listed'),
        to_delete: num(l, 'decisions.delete'),
        deferred: num(l, 'decisions.defer'),
        deleted: num(l, 'outcomes.deleted'),
        failed: num(l, 'outcomes.failed'),
        refused: num(l, 'outcomes.refused'),
        snapshot_gib: num(l, 'storage.snapshotGiB'),
        completed: field(l, 'completed') === true,
        exit_status: num(l, 'exitStatus'),
      })),
};

export const QUERIES: readonly AuditQuery[] = [deleted, why, failures, reclaimed, unfinished, runs];
