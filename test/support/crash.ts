/**
 * Crash-and-rerun episodes (issue #7), shared by the fast suite and the soak: the CLI runs as a
 * child process against an emulator in this process, and is killed with SIGKILL at a random point
 * (a random time after start, or right after a random number of mutating calls reached the cloud,
 * which lands kills between a deletion taking effect and its log line); then it is run again, and
 * again, until a run finishes. Every run writes its own audit log file.
 */
import { mulberry32 } from '../emulator/faults.js';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Emulator, EmulatorCall, Fleet } from '../emulator/index.js';
import type { Faults } from '../emulator/fleet.js';
import { startCli } from './cli-child.js';
import { emulatorWith, envFor, idsIn, mutatingCalls, tempDir, writePolicy } from './e2e.js';
import { E2E_NOW } from './fleets.js';
import { auditOf, cleanPlan, expectationOf, policyFromText, removedBy, targetsOf, type Expectation, type Line, type RunAudit } from './reliability.js';

/** A seeded PRNG (the emulator's mulberry32), so a failing episode can be replayed from its seed. */
export const prng = mulberry32;

export interface CrashRun {
  readonly log: string;
  /** How the kill was aimed: `at 812 ms`, `after 5 mutating calls`, or `none` (the last run). */
  readonly aim: string;
  readonly killed: boolean;
  readonly exitCode: number | null;
  readonly lines: Line[];
  /** Lines that were not JSON (a line torn by the kill). */
  readonly torn: number;
  readonly audit: RunAudit;
  readonly stderr: string;
}

export interface CrashEpisode {
  readonly seed: number;
  readonly exp: Expectation;
  readonly before: Fleet;
  readonly after: Fleet;
  readonly runs: readonly CrashRun[];
  /** IDs the cloud removed, over all runs. */
  readonly removed: readonly string[];
  /** IDs named by any mutating call that the clean plan protects or keeps. */
  readonly touchedKept: readonly string[];
  /** IDs with a `deleted` outcome in more than one log. */
  readonly deletedTwice: readonly string[];
  /** Removed IDs with no deleted/already-gone line anywhere: a kill fell between the cloud's change and the log write. */
  readonly cutOff: readonly string[];
  /** Deletions the cloud made with neither an outcome nor an item.deleting line in any run's log: must be none. */
  readonly unrecorded: readonly string[];
  /** Removed IDs that no log names with a `delete` decision: a deletion nobody decided (must be none). */
  readonly undecided: readonly string[];
  readonly converged: boolean;
  readonly durationMs: number;
}

export interface EpisodeOptions {
  readonly fleet: Fleet;
  readonly policy: string;
  readonly seed: number;
  /** Kills to aim in the episode (fewer when the work runs out first). */
  readonly kills: number;
  /** Upper bound of a time-aimed kill, ms after start. */
  readonly maxKillMs: number;
  /** Latency of each mutating call: widens the window in which a kill lands mid-call. */
  readonly mutationLatencyMs?: number;
  readonly extraEnv?: Record<string, string>;
  /** Faults injected into every run but the last (which runs clean, to show convergence). */
  readonly faults?: Faults;
}

function readLog(file: string): { lines: Line[]; torn: number } {
  if (!existsSync(file)) return { lines: [], torn: 0 };
  const lines: Line[] = [];
  let torn = 0;
  for (const text of readFileSync(file, 'utf8').split('\n')) {
    if (text.trim() === '') continue;
    try {
      lines.push(JSON.parse(text) as Line);
    } catch {
      torn++;
    }
  }
  return { lines, torn };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The emulator's call log, drained as it grows: emu.calls() copies the whole log, and polling it
 * every few milliseconds over a long episode would cost more than the runs themselves.
 */
class CallLog {
  readonly all: EmulatorCall[] = [];
  private mutations = 0;

  constructor(private readonly emu: Emulator) {}

  /** Mutating calls so far. */
  mutating(): number {
    const fresh = this.emu.calls();
    this.emu.clearCalls();
    this.all.push(...fresh);
    this.mutations += mutatingCalls(fresh).length;
    return this.mutations;
  }
}

async function killWhen(calls: CallLog, child: Awaited<ReturnType<typeof startCli>>, aim: { ms?: number; mutations?: number; jitterMs: number }, baseline: number): Promise<boolean> {
  let ended = false;
  void child.exited.then(() => (ended = true));
  for (;;) {
    if (ended) return false;
    const elapsed = Date.now() - child.startedAt;
    if (aim.ms !== undefined && elapsed >= aim.ms) break;
    if (aim.mutations !== undefined && calls.mutating() - baseline >= aim.mutations) break;
    if (elapsed > 60_000) break;
    await sleep(aim.mutations !== undefined ? 2 : 5);
  }
  if (aim.jitterMs > 0) await sleep(aim.jitterMs);
  if (ended) return false;
  child.child.kill('SIGKILL');
  return true;
}

export async function crashEpisode(o: EpisodeOptions): Promise<CrashEpisode> {
  const started = Date.now();
  const random = prng(o.seed);
  const latency = o.mutationLatencyMs ?? 0;
  const emu = await emulatorWith({
    ...o.fleet,
    ...(latency > 0 ? { behaviour: { ...o.fleet.behaviour, latencyMs: { DeleteImage: latency, RemoveImage: latency, DeleteImagePipeline: latency, TagResources: latency, UntagResources: latency } } } : {}),
  });
  try {
    const dir = tempDir('image-gc-crash-');
    const policyFile = writePolicy(dir, o.policy);
    const before = emu.state();
    const exp = expectationOf(await cleanPlan(emu, policyFromText(o.policy)), before);
    emu.clearCalls();
    const callLog = new CallLog(emu);
    if (o.faults) emu.setBehaviour({ faults: o.faults });
    const env = { ...envFor(emu), ...o.extraEnv };
    const runs: CrashRun[] = [];
    let kills = 0;
    // Kill while there is work left and kills left; then one run that is left to finish.
    for (let i = 0; ; i++) {
      const log = join(dir, `run-${i}.jsonl`);
      const present = idsIn(emu.state());
      const remaining = [...exp.deletes].filter((id) => present.has(id)).length;
      const kill = remaining > 0 && kills < o.kills;
      if (!kill && o.faults) emu.setBehaviour({ faults: undefined });
      const baseline = callLog.mutating();
      const child = await startCli(['run', '--policy', policyFile, '--now', E2E_NOW.toISOString(), '--log', log], env);
      let aim = 'none';
      let killed = false;
      if (kill) {
        const jitterMs = Math.floor(random() * latency);
        if (random() < 0.5) {
          const mutations = 1 + Math.floor(random() * remaining);
          aim = `after ${mutations} mutating calls (+${jitterMs} ms)`;
          killed = await killWhen(callLog, child, { mutations, jitterMs }, baseline);
        } else {
          const ms = Math.floor(random() * o.maxKillMs);
          aim = `at ${ms} ms`;
          killed = await killWhen(callLog, child, { ms, jitterMs: 0 }, baseline);
        }
      }
      const end = await child.exited;
      const { lines, torn } = readLog(log);
      killed = killed && end.signal === 'SIGKILL';
      if (killed) kills++;
      runs.push({ log, aim, killed, exitCode: end.code, lines, torn, audit: auditOf(lines), stderr: end.stderr });
      if (!kill || i > o.kills * 4) break;
    }
    callLog.mutating();
    const calls = callLog.all;
    const after = emu.state();
    const removed = [...new Set(removedBy(calls))];
    const touchedKept = [...new Set(mutatingCalls(calls).flatMap(targetsOf).filter((id) => exp.keeps.has(id)))];
    const deletedCount = new Map<string, number>();
    for (const r of runs) for (const id of r.audit.deleted) deletedCount.set(id, (deletedCount.get(id) ?? 0) + 1);
    const recorded = new Set(runs.flatMap((r) => [...r.audit.deleted, ...r.audit.alreadyGone]));
    const decided = new Set(runs.flatMap((r) => [...r.audit.decisions.entries()].filter(([, d]) => d === 'delete').map(([k]) => k.split('/')[2] as string)));
    // Every delete call is preceded by an item.deleting line: a deletion whose answer a kill cut off is still on record.
    const attempted = new Set(runs.flatMap((r) => r.lines.filter((l) => l['event'] === 'item.deleting').map((l) => String(l['id']))));
    return {
      seed: o.seed,
      exp,
      before,
      after,
      runs,
      removed,
      touchedKept,
      deletedTwice: [...deletedCount.entries()].filter(([, n]) => n > 1).map(([id]) => id),
      cutOff: removed.filter((id) => !recorded.has(id)),
      unrecorded: removed.filter((id) => !recorded.has(id) && !attempted.has(id)),
      undecided: removed.filter((id) => !decided.has(id)),
      converged: JSON.stringify([...idsIn(after)].sort()) === JSON.stringify(exp.target),
      durationMs: Date.now() - started,
    };
  } finally {
    await emu.close();
  }
}
