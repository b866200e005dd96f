/**
 * The SLS alert rules (policies/sls/alerts.json), each beside its local evaluation
 * (`gc audit --log FILE alerts`). Every rule's query returns one row per thing to alert on, so
 * each fires on "rows returned" (`__count__ > 0`); locally, a rule fires when it returns rows.
 */
import { num, text, type AuditLine } from './log-file.js';
import { APP, byTime, type Row } from './sls.js';

export interface AlertOptions {
  /** The stalled rule's N: days of enforce runs without a deletion. */
  readonly days: number;
  /** The end of the stalled rule's window; the log's last line when absent. */
  readonly now?: string;
}

export interface AuditAlert {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** SLS severities: high 8, medium 6, low 4. */
  readonly severity: 'high' | 'medium' | 'low';
  /** How often SLS runs the query, and over which window (relative to the run). */
  readonly schedule: { readonly type: 'FixedRate'; readonly interval: string };
  readonly window: { readonly start: string; readonly end: 'now' };
  readonly columns: readonly string[];
  /** May hold `${days}`. */
  readonly sls: string;
  evaluate(lines: readonly AuditLine[], opts: AlertOptions): Row[];
}

const isFailed = (l: AuditLine) =>
  ((l.event === 'item.outcome' || l.event === 'snapshot.outcome') && l['outcome'] === 'failed') || ['inventory.failed', 'references.failed', 'run.rejected'].includes(l.event);

export const runFailures: AuditAlert = {
  name: 'image-gc-run-failures',
  title: 'image-gc: failures in a run',
  description: 'A run had a deletion or snapshot deletion fail after retries, a listing or in-use lookup fail, or was rejected (bad policy or trigger). One row per run.',
  severity: 'high',
  schedule: { type: 'FixedRate', interval: '1h' },
  window: { start: '-1h', end: 'now' },
  columns: ['run_id', 'first_at', 'failures', 'example_code'],
  sls:
    `${APP} and (((message.event: "item.outcome" or message.event: "snapshot.outcome") and message.outcome: "failed") or message.event: "inventory.failed" or message.event: "references.failed" or message.event: "run.rejected")` +
    ` | SELECT "message.runId" AS run_id, min("message.time") AS first_at, count(1) AS failures, min(coalesce("message.code", "message.reason")) AS example_code GROUP BY "message.runId" ORDER BY first_at LIMIT 100`,
  evaluate: (lines) => {
    const runs = new Map<string, AuditLine[]>();
    for (const l of lines.filter(isFailed)) {
      const run = runs.get(l.runId);
      if (run === undefined) runs.set(l.runId, [l]);
      else run.push(l);
    }
    return [...runs]
      .map(([runId, ls]) => {
        const codes = ls.map((l) => text(l, 'code') ?? text(l, 'reason')).filter((c): c is string => c !== null).sort();
        return { run_id: runId, first_at: [...ls].sort(byTime)[0]?.time ?? null, failures: ls.length, example_code: codes[0] ?? null };
      })
      .sort((a, b) => String(a.first_at).localeCompare(String(b.first_at)));
  },
};

const CANDIDATES = '"message.decisions.delete" + "message.decisions.defer" + "message.decisions.abort"';
const DAYS = 'count(DISTINCT substr("message.time", 1, 10))';

export const stalled: AuditAlert = {
  name: 'image-gc-stalled',
  title: 'image-gc: nothing deleted for N days while candidates exist',
  description:
    'Enforce runs on N different days in the window, not one deletion among them, and items that were due (decided delete, deferred by maxDeletionsPerRun or held by maxDeletionPercent). Everything was refused, failed or held back: look at `failures`. Dry-run runs are left out: they delete nothing by design.',
  severity: 'medium',
  schedule: { type: 'FixedRate', interval: '24h' },
  window: { start: '-${days}d', end: 'now' },
  columns: ['runs', 'days', 'deleted', 'candidates'],
  sls:
    `${APP} and message.event: "run.finish" and message.mode: "enforce"` +
    ` | SELECT count(1) AS runs, ${DAYS} AS days, sum("message.outcomes.deleted") AS deleted, sum(${CANDIDATES}) AS candidates HAVING ${DAYS} >= \${days} AND sum("message.outcomes.deleted") = 0 AND sum(${CANDIDATES}) > 0`,
  evaluate: (lines, opts) => {
    const end = opts.now ?? [...lines].sort(byTime).at(-1)?.time;
    if (end === undefined) return [];
    const start = new Date(new Date(end).getTime() - opts.days * 86_400_000).toISOString();
    const finishes = lines.filter((l) => l.event === 'run.finish' && l['mode'] === 'enforce' && l.time >= start && l.time <= end);
    const days = new Set(finishes.map((l) => l.time.slice(0, 10))).size;
    const deleted = finishes.reduce((a, l) => a + num(l, 'outcomes.deleted'), 0);
    const candidates = finishes.reduce((a, l) => a + num(l, 'decisions.delete') + num(l, 'decisions.defer') + num(l, 'decisions.abort'), 0);
    return days >= opts.days && deleted === 0 && candidates > 0 ? [{ runs: finishes.length, days, deleted, candidates }] : [];
  },
};

export const deletionCap: AuditAlert = {
  name: 'image-gc-deletion-cap',
  title: 'image-gc: a run hit maxDeletionsPerRun',
  description: 'A run deferred candidates because maxDeletionsPerRun was reached (decisions.defer > 0): the backlog grows if this repeats. Raise the limit, or let it drain over several runs.',
  severity: 'medium',
  schedule: { type: 'FixedRate', interval: '1h' },
  window: { start: '-1h', end: 'now' },
  columns: ['ts', 'run_id', 'mode', 'deferred', 'deleted'],
  sls: `${APP} and message.event: "run.finish" and message.decisions.defer > 0 | SELECT "message.time" AS ts, "message.runId" AS run_id, "message.mode" AS mode, "message.decisions.defer" AS deferred, "message.outcomes.deleted" AS deleted ORDER BY ts LIMIT 100`,
  evaluate: (lines) =>
    lines
      .filter((l) => l.event === 'run.finish' && num(l, 'decisions.defer') > 0)
      .sort(byTime)
      .map((l) => ({ ts: l.time, run_id: l.runId, mode: text(l, 'mode'), deferred: num(l, 'decisions.defer'), deleted: num(l, 'outcomes.deleted') })),
};

export const ALERTS: readonly AuditAlert[] = [runFailures, stalled, deletionCap];

/** Default N of the stalled rule, in the JSON files and the CLI. */
export const DEFAULT_STALLED_DAYS = 3;
