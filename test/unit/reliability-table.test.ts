/**
 * The reliability table generator: the README's summary sums the full table's rows per suite, and
 * a file without markers is refused rather than silently left stale.
 */
import { describe, expect, it } from 'vitest';
import { END, START, SUMMARY_END, SUMMARY_START, fillMarkers } from '../../scripts/reliability-table.js';

const row = (part: string, n: number, faults: Record<string, number>) => ({
  part,
  runs: n,
  faults,
  items: 10 * n,
  candidatesDeleted: 5 * n,
  protectedDeleted: 0,
  lostOutcomes: 0,
  reruns: n,
  rerunsConverged: n,
});

const figures = [
  { suite: 'fault-matrix', writtenAt: 'T1', node: 'v20', durationMs: 1000, rows: [row('fault matrix: reset 5%', 2, { reset: 3 }), row('fault matrix: reset 30%', 3, { reset: 7 })] },
  { suite: 'crash', writtenAt: 'T2', node: 'v20', durationMs: 2000, rows: [row('crash and rerun', 4, { kill: 4 })] },
];

describe('scripts/reliability-table.ts', () => {
  it('fills the summary with one row per suite, summed, and the full table with every row', () => {
    const doc = `a\n${SUMMARY_START}\nold\n${SUMMARY_END}\nb\n${START}\nold\n${END}\n`;
    const out = fillMarkers(doc, figures);
    const summary = out.slice(out.indexOf(SUMMARY_START), out.indexOf(SUMMARY_END));
    const full = out.slice(out.indexOf(START), out.indexOf(END));
    expect(summary).toContain('| Fault matrix (each kind at 5 and 30 %) | 5 | reset 10 | 50 | 25 | 0 | 0 | 5 of 5 |');
    expect(summary).toContain('| Crash (SIGKILL) and rerun | 4 | kill 4 | 40 | 20 | 0 | 0 | 4 of 4 |');
    expect(summary).not.toContain('reset 5%');
    expect(full).toContain('| fault matrix: reset 5% | 2 | reset 3 |');
    for (const part of [summary, full]) expect(part).toContain('| **All** | **9** | reset 10, kill 4 | **90** | **45** | **0** | **0** | **9 of 9** |');
    expect(out).not.toContain('old');
    expect(out.startsWith('a\n')).toBe(true);
  });

  it('refuses a file with no markers', () => {
    expect(() => fillMarkers('no markers here', figures)).toThrow(/markers/);
  });
});
