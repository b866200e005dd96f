/**
 * `gc audit --log FILE <question>`: the saved SLS queries and alert rules, answered locally over a
 * file of the function's log lines (functions/audit/). `--sls` prints the SLS text instead;
 * `sls-files` writes policies/sls/*.json; `fields` prints the field reference. Exit status 0;
 * `alerts` exits 1 when a rule fires; 2 for bad input.
 */
import type { Command } from 'commander';
import { ALERTS, DEFAULT_STALLED_DAYS } from '../audit/alerts.js';
import { fieldsMarkdown } from '../audit/fields-doc.js';
import { readAuditLog, type AuditLine } from '../audit/log-file.js';
import { QUERIES, type AuditQuery, type QueryParams } from '../audit/queries.js';
import { writeSlsFiles } from '../audit/sls-files.js';
import { fillParams, type Row } from '../audit/sls.js';
import { renderTable } from '../report/table.js';
import { BadInput, EXIT, parseNow, type Output } from './common.js';

interface AuditFlags {
  readonly log?: string;
  readonly json?: boolean;
  readonly sls?: boolean;
}

function readLines(flags: AuditFlags, io: Output): readonly AuditLine[] {
  if (flags.log === undefined) throw new BadInput('audit needs --log FILE (the JSON lines of gc run --log, or of the function)');
  let log;
  try {
    log = readAuditLog(flags.log);
  } catch (e) {
    throw new BadInput(`cannot read --log ${flags.log}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (log.skipped > 0) io.err(`${log.skipped} line(s) of ${flags.log} are not image-gc audit events; skipped`);
  return log.lines;
}

const cell = (v: Row[string]) => (v === null ? '-' : String(v));

export function rowsText(columns: readonly string[], rows: readonly Row[]): string {
  if (rows.length === 0) return '(no rows)';
  return renderTable(columns.map((c) => c.toUpperCase()), rows.map((r) => columns.map((c) => cell(r[c] ?? null))), null, false);
}

/** An ISO time with a zone, normalised to the form the log's `time` has, so strings compare. */
const isoFlag = (value: string | undefined, name: string): string | undefined => {
  if (value === undefined) return undefined;
  try {
    return parseNow(value).toISOString();
  } catch {
    throw new BadInput(`--${name} must be an ISO time with a zone, like 2026-11-01T00:00:00Z (got ${JSON.stringify(value)})`);
  }
};

function runQuery(q: AuditQuery, flags: AuditFlags, params: QueryParams, io: Output): number {
  if (q.params.includes('id') && params.id === undefined) throw new BadInput(`${q.name} needs --id ID`);
  if (flags.sls) {
    io.out(fillParams(q.sls, params.id !== undefined ? { id: params.id } : {}));
    return EXIT.ok;
  }
  const rows = q.run(readLines(flags, io), params);
  io.out(flags.json ? JSON.stringify(rows, null, 2) : rowsText(q.columns, rows));
  return EXIT.ok;
}

function runAlerts(flags: AuditFlags, opts: { days?: string; now?: string }, io: Output): number {
  const days = Number(opts.days ?? DEFAULT_STALLED_DAYS);
  if (!Number.isInteger(days) || days < 1) throw new BadInput(`--days must be a whole number of days, 1 or more (got ${JSON.stringify(opts.days)})`);
  if (flags.sls) {
    for (const a of ALERTS) io.out(`# ${a.name} (${a.severity}): every ${a.schedule.interval} over ${fillParams(a.window.start, { days })}..now, fires when rows come back\n${fillParams(a.sls, { days })}\n`);
    return EXIT.ok;
  }
  const lines = readLines(flags, io);
  const now = isoFlag(opts.now, 'now');
  const results = ALERTS.map((a) => ({ name: a.name, title: a.title, severity: a.severity, columns: a.columns, rows: a.evaluate(lines, { days, ...(now ? { now } : {}) }) }));
  if (flags.json) {
    io.out(JSON.stringify(results.map(({ columns: _c, ...r }) => ({ ...r, firing: r.rows.length > 0 })), null, 2));
  } else {
    for (const r of results) {
      io.out(r.rows.length > 0 ? `FIRING ${r.name} (${r.severity}): ${r.title}\n${rowsText(r.columns, r.rows)}\n` : `ok     ${r.name}: ${r.title}`);
    }
  }
  return results.some((r) => r.rows.length > 0) ? EXIT.troubled : EXIT.ok;
}

export function registerAuditCommand(program: Command, io: Output, setExit: (code: number) => void): void {
  const audit = program
    .command('audit')
    .description("answer the audit questions over a file of the function's log lines; the same questions as the saved SLS queries (policies/sls)")
    .option('--log <file>', 'JSON lines: gc run --log FILE, the function stdout, or a logstore export')
    .option('--json', 'print the rows as JSON')
    .option('--sls', 'print the SLS query instead of answering locally');
  const flags = (cmd: Command) => cmd.optsWithGlobals<AuditFlags>();

  for (const q of QUERIES) {
    const sub = audit.command(q.name).description(q.question);
    if (q.name === 'deleted') sub.option('--since <iso-time>', 'from this time (the SLS query takes the time picker)').option('--until <iso-time>', 'before this time');
    if (q.params.includes('id')) sub.requiredOption('--id <id>', 'image or pipeline ID');
    sub.action((opts: { since?: string; until?: string; id?: string }, cmd: Command) => {
      const since = isoFlag(opts.since, 'since');
      const until = isoFlag(opts.until, 'until');
      const params: QueryParams = { ...(opts.id !== undefined && { id: opts.id }), ...(since && { since }), ...(until && { until }) };
      setExit(runQuery(q, flags(cmd), params, io));
    });
  }

  audit
    .command('alerts')
    .description('which of the SLS alert rules would fire over the file')
    .option('--days <n>', `N for the stalled rule: enforce runs on N days without a deletion (default ${DEFAULT_STALLED_DAYS})`)
    .option('--now <iso-time>', "end of the stalled rule's window (default: the last line)")
    .action((opts: { days?: string; now?: string }, cmd: Command) => setExit(runAlerts(flags(cmd), opts, io)));

  audit
    .command('fields')
    .description('print every event and field of the audit log, typed (Markdown; docs/audit-log.md embeds it)')
    .action(() => {
      io.out(fieldsMarkdown());
      setExit(EXIT.ok);
    });

  audit
    .command('sls-files')
    .description('write the SLS index, saved searches and alert rules (policies/sls/*.json)')
    .option('--out <dir>', 'directory', 'policies/sls')
    .action((opts: { out: string }) => {
      for (const path of writeSlsFiles(opts.out)) io.out(`wrote ${path}`);
      setExit(EXIT.ok);
    });
}
