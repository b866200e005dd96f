/** The run's summary: what `run.finish` logs, the handler returns and the CLI prints. */
import type { ListingFailure, ResourceKind } from '../inventory/types.js';
import { DECISIONS, type AbortedGroup, type Decision, type Plan } from '../plan/types.js';
import { OUTCOMES, type ItemOutcome, type Outcome } from '../sweep/types.js';

export interface GroupSummary {
  readonly kind: ResourceKind;
  readonly region: string;
  readonly listed: number;
  readonly decisions: Partial<Record<Decision, number>>;
  readonly outcomes: Partial<Record<Outcome, number>>;
  readonly gibReclaimed: number;
}

export interface RunSummary {
  readonly runId: string;
  readonly mode: 'dry-run' | 'enforce';
  readonly policyFile: string;
  readonly policySha256: string;
  readonly now: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly listed: number;
  readonly decisions: Record<Decision, number>;
  readonly outcomes: Record<Outcome, number>;
  readonly groups: readonly GroupSummary[];
  readonly gibReclaimed: number;
  readonly apiCalls: number;
  readonly throttled: number;
  readonly aborted: readonly AbortedGroup[];
  readonly listingFailures: readonly ListingFailure[];
  /** Work not started because the deadline came (outcome skipped). */
  readonly leftByDeadline: number;
  /** Every decided action was attempted. */
  readonly completed: boolean;
  /** 0 done; 1 done with failures, aborted groups or failed listings (the CLI's exit status). */
  readonly exitStatus: 0 | 1;
}

export interface SummaryInput {
  readonly runId: string;
  readonly mode: 'dry-run' | 'enforce';
  readonly policyFile: string;
  readonly policySha256: string;
  readonly plan: Plan;
  readonly listed: ReadonlyArray<{ kind: ResourceKind; region: string; count: number }>;
  readonly listingFailures: readonly ListingFailure[];
  readonly outcomes: readonly ItemOutcome[];
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly apiCalls: number;
  readonly throttled: number;
}

function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

export function summarise(input: SummaryInput): RunSummary {
  const decisions = zeroes(DECISIONS);
  const outcomes = zeroes(OUTCOMES);
  const groups = new Map<string, { kind: ResourceKind; region: string; listed: number; decisions: Partial<Record<Decision, number>>; outcomes: Partial<Record<Outcome, number>>; gibReclaimed: number }>();
  const group = (kind: ResourceKind, region: string) => {
    const key = `${kind}/${region}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = { kind, region, listed: 0, decisions: {}, outcomes: {}, gibReclaimed: 0 };
      groups.set(key, g);
    }
    return g;
  };
  for (const l of input.listed) group(l.kind, l.region).listed += l.count;
  for (const p of input.plan.items) {
    decisions[p.decision]++;
    const g = group(p.kind, p.region);
    g.decisions[p.decision] = (g.decisions[p.decision] ?? 0) + 1;
  }
  let gib = 0;
  for (const o of input.outcomes) {
    outcomes[o.outcome]++;
    const g = group(o.kind, o.region);
    g.outcomes[o.outcome] = (g.outcomes[o.outcome] ?? 0) + 1;
    g.gibReclaimed = round(g.gibReclaimed + o.gibReclaimed);
    gib += o.gibReclaimed;
  }
  const leftByDeadline = outcomes.skipped;
  const troubled = outcomes.failed > 0 || input.plan.aborted.length > 0 || input.listingFailures.length > 0 || leftByDeadline > 0;
  return {
    runId: input.runId,
    mode: input.mode,
    policyFile: input.policyFile,
    policySha256: input.policySha256,
    now: input.plan.now,
    startedAt: new Date(input.startedAt).toISOString(),
    finishedAt: new Date(input.finishedAt).toISOString(),
    durationMs: input.finishedAt - input.startedAt,
    listed: input.plan.items.length,
    decisions,
    outcomes,
    groups: [...groups.values()].sort((a, b) => (a.kind + a.region).localeCompare(b.kind + b.region)),
    gibReclaimed: round(gib),
    apiCalls: input.apiCalls,
    throttled: input.throttled,
    aborted: input.plan.aborted,
    listingFailures: input.listingFailures,
    leftByDeadline,
    completed: leftByDeadline === 0,
    exitStatus: troubled ? 1 : 0,
  };
}
