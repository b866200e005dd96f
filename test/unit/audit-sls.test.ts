/**
 * The SLS side of the audit, offline: the files in policies/sls and the field reference in
 * docs/audit-log.md are what the modules generate now; every saved query and alert reads only
 * indexed fields and returns the columns its local twin does; the text is well formed; the
 * local twins group and window as the SQL does (days, runs without a start). What the queries
 * answer over real runs: test/integration/audit-queries.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALERTS, stalled } from '../../functions/audit/alerts.js';
import { fieldsMarkdown } from '../../functions/audit/fields-doc.js';
import { indexedFields, slsIndex } from '../../functions/audit/fields.js';
import { parseAuditLog, type AuditLine } from '../../functions/audit/log-file.js';
import { QUERIES, reclaimed, unfinished } from '../../functions/audit/queries.js';
import { slsFiles } from '../../functions/audit/sls-files.js';
import { aliasesIn, fieldsIn, fillParams } from '../../functions/audit/sls.js';
import { BadInput } from '../../functions/commands/common.js';
import { ROOT } from '../../scripts/build.js';

const ALL = [...QUERIES, ...ALERTS];

describe('policies/sls and docs/audit-log.md', () => {
  it.each(Object.entries(slsFiles()))('policies/sls/%s is what the modules generate', (name, content) => {
    const onDisk = readFileSync(join(ROOT, 'policies/sls', name), 'utf8');
    expect(onDisk, `policies/sls/${name} is stale: run \`npm run gc -- audit sls-files --out policies/sls\``).toBe(content);
  });

  it('the field reference in docs/audit-log.md is the catalogue', () => {
    const doc = readFileSync(join(ROOT, 'docs/audit-log.md'), 'utf8');
    const block = /<!-- fields:begin[^>]*-->\n([\s\S]*?)<!-- fields:end -->/.exec(doc)?.[1];
    expect(block, 'docs/audit-log.md is stale: paste the output of `npm run gc -- audit fields` between the fields markers').toBe(fieldsMarkdown());
  });

  it('indexes message as JSON with typed leaves', () => {
    const key = (slsIndex()['keys'] as Record<string, Record<string, unknown>>)['message'] as Record<string, unknown>;
    expect(key['type']).toBe('json');
    const leaves = key['json_keys'] as Record<string, { type: string }>;
    for (const name of ['event', 'runId', 'time', 'id', 'outcome', 'rule', 'decisions.defer', 'outcomes.deleted', 'gibReclaimed']) expect(leaves[name], name).toBeDefined();
    expect(new Set(Object.values(leaves).map((l) => l.type))).toEqual(new Set(['text', 'long', 'double']));
    expect(leaves['gibReclaimed']?.type).toBe('double');
    expect(leaves['decisions.defer']?.type).toBe('long');
    expect(leaves['completed']?.type).toBe('text');
  });
});

describe.each(ALL.map((q) => [q.name, q] as const))('the SLS text of %s', (_name, q) => {
  it('reads only indexed fields', () => {
    const indexed = indexedFields();
    expect(fieldsIn(q.sls).filter((f) => !indexed.has(f))).toEqual([]);
  });

  it('returns the columns its local twin returns', () => {
    const aliases = new Set(aliasesIn(q.sls));
    expect(q.columns.filter((c) => !aliases.has(c))).toEqual([]);
  });

  it('is one search, one pipe and one SQL statement, with balanced quotes and parentheses', () => {
    const outside = q.sls.replace(/"[^"]*"|'[^']*'/g, '');
    expect(outside).not.toMatch(/["']/);
    expect(outside.split('|')).toHaveLength(2);
    let depth = 0;
    for (const c of outside) {
      depth += c === '(' ? 1 : c === ')' ? -1 : 0;
      expect(depth).toBeGreaterThanOrEqual(0);
    }
    expect(depth).toBe(0);
    expect(q.sls.startsWith('message.app: "image-gc" and ')).toBe(true);
    expect(outside.split('|')[1]).toMatch(/^ SELECT /);
  });
});

describe('query parameters', () => {
  it('fills ${id} and refuses what could break out of the quotes', () => {
    expect(fillParams('message.id: "${id}"', { id: 'm-bp1abc.2' })).toBe('message.id: "m-bp1abc.2"');
    expect(() => fillParams('message.id: "${id}"', { id: 'm-1" or message.app: "x' })).toThrow(BadInput);
    expect(() => fillParams("'${id}'", { id: "m-1' --" })).toThrow(BadInput);
    expect(() => fillParams('message.id: "${id}"', {})).toThrow(/--id/);
  });
});

const line = (event: string, time: string, runId: string, fields: Record<string, unknown> = {}): string =>
  JSON.stringify({ level: 'info', time, app: 'image-gc', runId, event, msg: event, ...fields });

describe('reading a log file', () => {
  it('takes audit lines and SLS rows that hold one, and skips everything else', () => {
    const text = [
      line('run.start', '2026-11-01T02:00:00.000Z', 'r1', { mode: 'enforce' }),
      '2026-11-01 02:00:00.100 1-6740a1b2-c0ffee [info] FC Invoke Start RequestId: 1-6740a1b2',
      JSON.stringify({ __time__: 1793498400, __topic__: 'FCLogs:image-gc', message: line('run.finish', '2026-11-01T02:01:00.000Z', 'r1', { completed: true }) }),
      JSON.stringify({ app: 'other', event: 'run.start', time: 'x', runId: 'y' }),
      '',
      'not json {',
    ].join('\n');
    const log = parseAuditLog(text);
    expect(log.lines.map((l) => l.event)).toEqual(['run.start', 'run.finish']);
    expect(log.skipped).toBe(3);
  });
});

const parse = (...lines: string[]): readonly AuditLine[] => parseAuditLog(lines.join('\n')).lines;

describe('the local twins group and window as the SQL does', () => {
  it('reclaimed: one row per UTC day of the line time, images and snapshots apart', () => {
    const lines = parse(
      line('item.outcome', '2026-11-01T23:59:59.000Z', 'r1', { outcome: 'deleted', gibReclaimed: 20 }),
      line('snapshot.outcome', '2026-11-02T00:00:01.000Z', 'r1', { outcome: 'deleted', gibReclaimed: 40.5 }),
      line('item.outcome', '2026-11-02T00:00:02.000Z', 'r1', { outcome: 'refused', gibReclaimed: 0 }),
      line('item.outcome', '2026-11-02T00:00:03.000Z', 'r1', { outcome: 'deleted', gibReclaimed: 0.1 }),
    );
    expect(reclaimed.run(lines, {})).toEqual([
      { day: '2026-11-01', images_deleted: 1, image_gib: 20, snapshots_deleted: 0, snapshot_gib: 0 },
      { day: '2026-11-02', images_deleted: 1, image_gib: 0.1, snapshots_deleted: 1, snapshot_gib: 40.5 },
    ]);
  });

  it('unfinished: a finished run whose start is outside the file is not unfinished', () => {
    const lines = parse(line('run.finish', '2026-11-01T02:01:00.000Z', 'r0', { completed: true, leftByDeadline: 0 }), line('run.start', '2026-11-02T02:00:00.000Z', 'r1', { mode: 'dry-run' }));
    expect(unfinished.run(lines, {})).toEqual([{ run_id: 'r1', started: '2026-11-02T02:00:00.000Z', mode: 'dry-run', finished_at: null, left_by_deadline: null, why: 'no run.finish' }]);
  });

  it('stalled: N distinct days of enforce runs in the window, none deleting, candidates left', () => {
    const finish = (day: string, deleted: number, mode = 'enforce') =>
      line('run.finish', `2026-11-0${day}T02:01:00.000Z`, `r${day}`, { mode, outcomes: { deleted }, decisions: { delete: 2, defer: 1, abort: 0 } });
    const lines = parse(finish('1', 0), finish('2', 0), finish('3', 0), finish('4', 0, 'dry-run'));
    expect(stalled.evaluate(lines, { days: 3 })).toEqual([{ runs: 3, days: 3, deleted: 0, candidates: 9 }]);
    expect(stalled.evaluate(lines, { days: 4 })).toEqual([]);
    expect(stalled.evaluate(parse(finish('1', 0), finish('2', 1), finish('3', 0)), { days: 3 })).toEqual([]);
    // The window is the N days before --now: the run on the 1st at 02:01 is in it at 02:00 on the 4th, out a minute later.
    expect(stalled.evaluate(lines, { days: 3, now: '2026-11-04T02:00:00.000Z' })).toHaveLength(1);
    expect(stalled.evaluate(lines, { days: 3, now: '2026-11-04T02:02:00.000Z' })).toEqual([]);
  });
});
