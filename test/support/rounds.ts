/**
 * One "round" of the reliability suite (issue #7), shared by the fast suite and the soak: a fleet
 * and a policy on a fresh emulator, one enforce run with faults injected, then clean runs until one
 * deletes nothing, with every invariant checked on the way (see support/reliability.ts). Candidates
 * are the clean plan's `delete` and `defer`; everything else must survive untouched; the end state
 * is the fleet without its candidates, except those only the API refuses (E-HPC jobs, WUYING
 * desktops).
 */
import { expect } from 'vitest';
import type { FaultKind } from '../emulator/index.js';
import { emulatorWith, idsIn, mutatingCalls } from './e2e.js';
import type { FigureRow } from './reliability-figures.js';
import { ACTED_OUTCOMES, auditOf, cleanPlan, directRun, faultCounts, policyFromText, targetsOf, type Line, type RunAudit } from './reliability.js';

export function sum<T>(xs: readonly T[], f: (x: T) => number): number {
  return xs.reduce((n, x) => n + f(x), 0);
}

export interface Round {
  readonly label: string;
  /** How long the run with faults took, ms. */
  readonly firstRunMs: number;
  readonly items: number;
  readonly faults: Partial<Record<FaultKind, number>>;
  readonly runs: number;
  readonly deleted: number;
  readonly keptGone: number;
  readonly lost: number;
  readonly converged: boolean;
}

/** The audit-log invariants of a run that finished. */
export function expectFinished(a: RunAudit, lines: readonly Line[], label: string): void {
  expect(a.finishLines, `${label}: run.finish`).toBe(1);
  expect(a.lost, `${label}: lost outcomes`).toEqual([]);
  expect(a.duplicated, `${label}: duplicate outcomes`).toEqual([]);
  expect(a.unplanned, `${label}: outcomes not planned`).toEqual([]);
  expect(a.withoutCode, `${label}: outcomes without a code`).toEqual([]);
  for (const l of lines.filter((x) => x['event'] === 'item.outcome' && x['decision'] === 'delete')) {
    expect(ACTED_OUTCOMES.has(String(l['outcome'])), `${label}: ${String(l['id'])} ${String(l['outcome'])}`).toBe(true);
  }
}

/**
 * One round: a fleet, a policy, one run with `faults`, then clean runs until one deletes nothing.
 * Candidates are the clean plan's delete and defer; everything else must survive untouched; the
 * end state is the fleet without its candidates, except those the API refused (jobs, desktops).
 */
export async function round(label: string, fleet: Parameters<typeof emulatorWith>[0], policyText: string, faults: { rate: number; kinds: FaultKind[]; seed: number }, progress: (line: string) => void = () => {}): Promise<Round> {
  const emu = await emulatorWith(fleet);
  try {
    const policy = policyFromText(policyText);
    const plan = await cleanPlan(emu, policy);
    const before = idsIn(emu.state());
    const candidates = new Set(plan.items.filter((p) => p.decision === 'delete' || p.decision === 'defer').map((p) => p.id));
    const keepers = new Set(plan.items.filter((p) => !candidates.has(p.id)).map((p) => p.id));
    emu.setBehaviour({ faults });
    emu.clearCalls();
    const faulted = await directRun(emu, policy);
    const injected = faultCounts(emu.calls());
    expect(faulted.thrown, `${label}: ${String(faulted.thrown)}`).toBeNull();
    const audits: RunAudit[] = [auditOf(faulted.lines)];
    expectFinished(audits[0]!, faulted.lines, `${label} faulted`);
    const decided = [...audits[0]!.decisions.entries()].filter(([, d]) => d === 'delete').map(([k]) => k.split('/')[2] as string);
    expect(decided.filter((id) => !candidates.has(id)), `${label}: decided delete but not a candidate`).toEqual([]);
    emu.setBehaviour({ faults: undefined });
    let last: RunAudit = audits[0]!;
    for (let i = 0; i < 40; i++) {
      const rerun = await directRun(emu, policy);
      last = auditOf(rerun.lines);
      expectFinished(last, rerun.lines, `${label} rerun ${i + 1}`);
      expect(last.failed, `${label} rerun ${i + 1}: failures with faults off`).toEqual([]);
      audits.push(last);
      if (last.deleted.length === 0 && last.alreadyGone.length === 0) break;
    }
    const after = idsIn(emu.state());
    const calls = emu.calls();
    const touched = mutatingCalls(calls).flatMap(targetsOf).filter((id) => keepers.has(id));
    const keptGone = [...keepers].filter((id) => !after.has(id));
    expect(touched, `${label}: mutating calls on protected or kept items`).toEqual([]);
    expect(keptGone, `${label}: protected or kept items gone`).toEqual([]);
    const refusedAtEnd = new Set(last.refused);
    const expected = [...before].filter((id) => !candidates.has(id) || refusedAtEnd.has(id)).sort();
    const converged = JSON.stringify([...after].sort()) === JSON.stringify(expected);
    expect([...after].sort(), `${label}: converged`).toEqual(expected);
    const deletedTwice = new Map<string, number>();
    for (const a of audits) for (const id of a.deleted) deletedTwice.set(id, (deletedTwice.get(id) ?? 0) + 1);
    expect([...deletedTwice.entries()].filter(([, n]) => n > 1), `${label}: deleted twice`).toEqual([]);
    progress(`${label}: ${audits.length} runs, ${[...candidates].filter((id) => !after.has(id)).length} deleted, faults ${JSON.stringify(injected)}, first run ${faulted.elapsedMs} ms`);
    return {
      label,
      firstRunMs: faulted.elapsedMs,
      items: before.size,
      faults: Object.fromEntries(Object.entries(injected).filter(([, n]) => n > 0)),
      runs: audits.length,
      deleted: [...candidates].filter((id) => !after.has(id)).length,
      keptGone: keptGone.length,
      lost: sum(audits, (a) => a.lost.length + a.duplicated.length),
      converged,
    };
  } finally {
    await emu.close();
  }
}

export function row(part: string, rounds: readonly Round[], note?: string): FigureRow {
  const faults: Partial<Record<FaultKind, number>> = {};
  for (const r of rounds) for (const [k, n] of Object.entries(r.faults)) faults[k as FaultKind] = (faults[k as FaultKind] ?? 0) + (n ?? 0);
  return {
    part,
    runs: sum(rounds, (r) => r.runs),
    faults,
    items: sum(rounds, (r) => r.items),
    candidatesDeleted: sum(rounds, (r) => r.deleted),
    protectedDeleted: sum(rounds, (r) => r.keptGone),
    lostOutcomes: sum(rounds, (r) => r.lost),
    reruns: rounds.length,
    rerunsConverged: rounds.filter((r) => r.converged).length,
    ...(note !== undefined ? { note } : {}),
  };
}
