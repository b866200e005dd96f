/**
 * Crash and rerun (issue #7): the CLI, as its own process, is killed with SIGKILL at random points
 * of an enforce run on a fleet of all four kinds, and run again each time, until a run finishes.
 * Then: the fleet is exactly the plan's target; nothing the plan protects or keeps was named by a
 * mutating call; across the audit logs of all runs no item has two `deleted` outcomes
 * (already-gone is fine); every deletion the cloud made was decided `delete` in some run's log;
 * every run that finished logged one outcome per candidate. Kills that fell between a deletion
 * taking effect and its log line are counted (the decision line is the only record of those).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { crashEpisode, type CrashEpisode } from '../support/crash.js';
import { Figures } from '../support/reliability-figures.js';
import { MIXED_POLICY, mixedFleet } from '../support/reliability.js';

const figures = new Figures('crash');
afterAll(() => {
  figures.write();
});

function expectEpisodeSafe(e: CrashEpisode): void {
  const label = `seed ${e.seed}: ${e.runs.map((r) => `${r.aim}${r.killed ? ' killed' : ` exit ${r.exitCode}`}`).join('; ')}`;
  expect(e.touchedKept, `${label}: mutating calls on protected or kept items`).toEqual([]);
  expect(e.deletedTwice, `${label}: items deleted twice`).toEqual([]);
  expect(e.undecided, `${label}: deletions no run decided`).toEqual([]);
  expect(e.unrecorded, `${label}: deletions with no item.deleting or outcome line`).toEqual([]);
  const last = e.runs.at(-1)!;
  expect(last.exitCode, `${label}: last run\n${last.stderr}`).toBe(0);
  expect(e.converged, `${label}: converged`).toBe(true);
  for (const r of e.runs) {
    expect(r.audit.duplicated, `${label}: duplicate outcome lines`).toEqual([]);
    expect(r.audit.unplanned, `${label}: outcomes for items not acted on`).toEqual([]);
    expect(r.torn, `${label}: torn log lines`).toBe(0);
    if (!r.killed) {
      expect(r.audit.finishLines, `${label}: run.finish`).toBe(1);
      expect(r.audit.lost, `${label}: lost outcomes`).toEqual([]);
    }
  }
}

function crashRow(part: string, episodes: readonly CrashEpisode[]) {
  return {
    part,
    runs: episodes.reduce((n, e) => n + e.runs.length, 0),
    faults: { kill: episodes.reduce((n, e) => n + e.runs.filter((r) => r.killed).length, 0) },
    items: episodes.reduce((n, e) => n + e.exp.target.length + e.exp.deletes.size, 0),
    candidatesDeleted: episodes.reduce((n, e) => n + e.removed.length, 0),
    protectedDeleted: episodes.reduce((n, e) => n + e.touchedKept.length, 0),
    lostOutcomes: episodes.reduce((n, e) => n + e.runs.filter((r) => !r.killed).reduce((m, r) => m + r.audit.lost.length + r.audit.duplicated.length, 0), 0),
    reruns: episodes.length,
    rerunsConverged: episodes.filter((e) => e.converged).length,
    note: `${episodes.length} episodes; ${episodes.reduce((n, e) => n + e.cutOff.length, 0)} deletions whose outcome line a kill cut off (their item.deleting line is logged)`,
  };
}

describe('crash and rerun', () => {
  it('SIGKILL at random points of an enforce run, rerun each time: converges, nothing protected deleted, nothing deleted twice', async () => {
    const episodes: CrashEpisode[] = [];
    for (const seed of [7001, 7002, 7003]) {
      episodes.push(await crashEpisode({ fleet: mixedFleet(2), policy: MIXED_POLICY, seed, kills: 4, maxKillMs: 700, mutationLatencyMs: 40 }));
    }
    figures.add(crashRow('crash and rerun (SIGKILL)', episodes));
    for (const e of episodes) expectEpisodeSafe(e);
    expect(episodes.flatMap((e) => e.runs).filter((r) => r.killed).length).toBeGreaterThanOrEqual(6);
  }, 60_000);
});
