/**
 * The reliability suite's own figures: each suite collects one row per part (runs, faults injected
 * per kind, items, candidates deleted, protected items deleted, lost outcomes, reruns converged)
 * and writes them as JSON to test-results/reliability/<suite>.json when it ends (overwriting that
 * suite's previous file, so a rerun never double-counts). scripts/reliability-table.ts renders
 * every file there as the table in docs/reliability.md. Counts come from the emulator's call log
 * and the collector's audit log, never from expectations.
 *
 * RELIABILITY_RESULTS_DIR moves the directory (the soak and CI may want their own).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './e2e.js';

export type FaultLabel = 'ServiceUnavailable' | 'Throttling' | 'reset' | 'timeout' | 'malformed' | 'kill' | 'hostile answer' | 'paging anomaly' | 'concurrent run' | 'hang' | 'slow answer' | 'bad policy';

export interface FigureRow {
  /** Which part: `fault matrix: reset 30%`, `crash and rerun`, ... */
  readonly part: string;
  readonly runs: number;
  readonly faults: Partial<Record<FaultLabel, number>>;
  /** Items in the fleet(s) the runs worked on (summed over fleets). */
  readonly items: number;
  /** Items the collector deleted (a `deleted` outcome, or a deletion that a killed run never got to log). */
  readonly candidatesDeleted: number;
  /** Items the clean plan protects or keeps that a run deleted: must be 0. */
  readonly protectedDeleted: number;
  /** Acted-on items without exactly one outcome line, in runs that finished: must be 0. */
  readonly lostOutcomes: number;
  /** Sequences that ended with clean reruns and were checked against the plan's target state. */
  readonly reruns: number;
  /** Of those, the ones whose fleet ended exactly at the target. */
  readonly rerunsConverged: number;
  readonly note?: string;
}

export interface FigureFile {
  readonly suite: string;
  readonly writtenAt: string;
  readonly node: string;
  readonly durationMs: number;
  readonly rows: readonly FigureRow[];
}

export function resultsDir(): string {
  return process.env['RELIABILITY_RESULTS_DIR'] || join(ROOT, 'test-results', 'reliability');
}

/** Collects rows during a suite; `write()` in afterAll. */
export class Figures {
  private readonly rows: FigureRow[] = [];
  private readonly started = Date.now();

  constructor(private readonly suite: string) {}

  add(row: FigureRow): void {
    this.rows.push(row);
  }

  write(): string | null {
    if (this.rows.length === 0) return null;
    const dir = resultsDir();
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${this.suite}.json`);
    const body: FigureFile = {
      suite: this.suite,
      writtenAt: new Date().toISOString(),
      node: process.version,
      durationMs: Date.now() - this.started,
      rows: [...this.rows].sort((a, b) => a.part.localeCompare(b.part)),
    };
    writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
    return file;
  }
}
