/**
 * Helpers for the reliability suite (issue #7): a mixed fleet of all four kinds, a collector run
 * driven through runCollector with a client the test builds (short timeouts and retry pauses, so
 * injected hangs cost milliseconds, not the production 10 s), and one checker that reads a run's
 * audit log and the emulator's call log and states every invariant the suite promises:
 *
 * - nothing the clean plan protects or keeps is touched by a mutating call, or gone afterwards;
 * - every item the run decided to delete has exactly one `item.outcome` line, with a code when it
 *   did not simply succeed; nothing else gets an outcome line;
 * - `run.finish` is written, once;
 * - a deletion the emulator carried out is never logged as anything but deleted or already-gone.
 *
 * Nothing of image-gc is mocked: the cloud is the emulator, over HTTP, with signed requests.
 */
import type { CloudApi } from '../../functions/cloud/api.js';
import { createCloudClient, type CloudClientOptions } from '../../functions/cloud/client.js';
import { loadPolicy } from '../../functions/policy/load.js';
import { AuditLog } from '../../functions/report/audit-log.js';
import { inventoryAndPlan, runCollector, type LoadedPolicy, type RunResult } from '../../functions/run.js';
import type { Plan } from '../../functions/plan/types.js';
import type { Emulator, EmulatorCall, FaultKind, Fleet, FleetImage, FleetPipeline, WuyingImage } from '../emulator/index.js';
import { TEST_KEY, idsIn, logSink } from './e2e.js';
import { E2E_NOW, ago, ecsFleet, ehpcFleet, pipelineFleet, wuyingFleet } from './fleets.js';

export type Line = Record<string, unknown>;

// ------------------------------------------------------------------------------------ the fleet

/**
 * The four small fleets of fleets.ts in one account (E-HPC and ECS images share cn-hangzhou, and
 * with both kinds in the policy an image E-HPC lists is an ehpc-image only), plus `extra` more
 * deletable items of each kind, so a fault rate has enough calls to bite.
 */
export function mixedFleet(extra = 0): Fleet {
  const ecs = ecsFleet();
  const ehpc = ehpcFleet();
  const pipes = pipelineFleet();
  const hz = ecs.regions['cn-hangzhou']!;
  const sh = ecs.regions['cn-shanghai']!;
  const more = (prefix: string, region: string): FleetImage[] =>
    Array.from({ length: extra }, (_, i) => ({
      ImageId: `m-${prefix}x${i}`,
      ImageName: `build-${region}-x${i}`,
      CreationTime: ago(30 + (i % 300)),
      Status: 'Available',
      Size: 20,
      ImageOwnerAlias: 'self',
      ImageFamily: 'app',
    }));
  const moreHpc: FleetImage[] = Array.from({ length: extra }, (_, i) => ({
    ImageId: `m-hpcx${i}`,
    ImageName: `hpc-x${i}`,
    CreationTime: ago(20 + (i % 300)),
    Status: 'Available',
    Size: 30,
    ImageOwnerAlias: 'self',
    ImageFamily: i % 2 === 0 ? 'hpc-a' : 'hpc-b',
    ehpc: { osTag: 'CentOS_7.9_64', instantRegistered: i % 2 === 0 },
  }));
  const morePipes: FleetPipeline[] = Array.from({ length: extra }, (_, i) => ({
    ImagePipelineId: `ip-x${i}`,
    Name: `ci-x${i}`,
    CreationTime: ago(400),
    executions: [{ ExecutionId: `exec-x${i}`, Status: 'SUCCESS', CreationTime: ago(40 + i), ModifiedTime: ago(40 + i) }],
  }));
  const moreWuying: WuyingImage[] = Array.from({ length: extra }, (_, i) => ({
    ImageId: `imgc-x${i}`,
    ImageName: `desk-x${i}`,
    GmtCreate: ago(30 + i).replace('T', ' ').replace('Z', ''),
    Status: 'AVAILABLE',
    ImageType: 'User',
    ProductType: 'CloudDesktop',
  }));
  return {
    regions: {
      'cn-hangzhou': {
        images: [...(hz.images ?? []), ...(ehpc.regions['cn-hangzhou']?.images ?? []), ...more('hz', 'hz'), ...moreHpc],
        pipelines: [...(pipes.regions['cn-hangzhou']?.pipelines ?? []), ...morePipes],
      },
      'cn-shanghai': { images: [...(sh.images ?? []), ...more('sh', 'sh')] },
    },
    wuying: { images: [...(wuyingFleet().wuying?.images ?? []), ...moreWuying] },
  };
}

export const MIXED_POLICY = `version: 1
mode: enforce
regions: [cn-hangzhou, cn-shanghai]
limits: { maxDeletionsPerRun: 10000, maxDeletionPercent: 100, concurrency: 4, requestsPerSecond: 200 }
rules:
  - name: builds
    resource: ecs-image
    match: { name: "build-*" }
    keep: { newest: 2, youngerThan: 15d }
  - name: hpc
    resource: ehpc-image
    keep: { newest: 1, groupBy: family, youngerThan: 3d }
  - name: desktops
    resource: wuying-image
    keep: { newest: 2 }
  - name: idle
    resource: image-pipeline
    match: { name: "ci-*" }
    keep: { activeWithin: 14d }
`;

export function policyFromText(text: string, file = 'reliability.yaml'): LoadedPolicy {
  const loaded = loadPolicy({ text, file });
  if (!loaded.ok) throw new Error(`test policy is invalid: ${JSON.stringify(loaded.errors)}`);
  return { policy: loaded.policy, file, sha256: loaded.sha256 };
}

// ------------------------------------------------------------------------------------ running

/** Client settings that make injected faults cheap: a hang costs `readTimeoutMs`, a retry pause tens of ms. */
export const FAST_CLIENT: Partial<CloudClientOptions> = {
  readTimeoutMs: 400,
  retry: { baseDelayMs: 10, maxDelayMs: 100 },
};

export interface DirectRunOptions {
  readonly client?: Partial<CloudClientOptions>;
  /** Sweep deadline, epoch ms. */
  readonly deadline?: number | null;
  readonly now?: Date;
  readonly mode?: 'enforce' | 'dry-run';
  /** Wraps the client, e.g. to change the fleet between two pages of a listing. */
  readonly wrapApi?: (api: CloudApi) => CloudApi;
}

export interface DirectRun {
  readonly result: RunResult | null;
  /** What runCollector threw, if it did (it never should). */
  readonly thrown: unknown;
  readonly lines: Line[];
  readonly raw: string[];
  readonly elapsedMs: number;
}

/**
 * One run exactly as the CLI's `run` does it (functions/commands/run.ts), except that the client
 * is built here: the CLI and the handler offer no way to shorten its timeouts.
 */
export async function directRun(emu: Emulator, policy: LoadedPolicy, opts: DirectRunOptions = {}): Promise<DirectRun> {
  const sink = logSink();
  const client = createCloudClient({
    credentials: { kind: 'static', ...TEST_KEY },
    endpoint: emu.url,
    rate: { requestsPerSecond: policy.policy.limits.requestsPerSecond, concurrency: policy.policy.limits.concurrency },
    dryRun: (opts.mode ?? policy.policy.mode) === 'dry-run',
    ...FAST_CLIENT,
    ...opts.client,
  });
  const log = new AuditLog({ runId: `rel-${Math.random().toString(36).slice(2, 10)}`, secrets: [TEST_KEY.accessKeySecret], destination: sink.destination });
  const started = Date.now();
  let result: RunResult | null = null;
  let thrown: unknown = null;
  try {
    result = await runCollector({
      policy,
      api: opts.wrapApi ? opts.wrapApi(client) : client,
      mode: opts.mode ?? policy.policy.mode,
      modeReason: 'reliability test',
      now: opts.now ?? E2E_NOW,
      deadline: opts.deadline ?? null,
      log,
      trigger: { name: 'reliability' },
      apiStats: () => {
        const s = client.stats();
        return { calls: s.calls, throttled: s.throttled };
      },
    });
  } catch (e) {
    thrown = e;
  }
  // The sink is a Writable: let its queued writes land.
  await new Promise((resolve) => setImmediate(resolve));
  return { result, thrown, lines: sink.lines, raw: sink.raw, elapsedMs: Date.now() - started };
}

/** The plan of a fault-free listing: what must survive and what the run should end with. */
export async function cleanPlan(emu: Emulator, policy: LoadedPolicy, now: Date = E2E_NOW): Promise<Plan> {
  const client = createCloudClient({ credentials: { kind: 'static', ...TEST_KEY }, endpoint: emu.url, rate: { requestsPerSecond: 1000, concurrency: 8 }, dryRun: true });
  const { inventory, plan } = await inventoryAndPlan(client, policy.policy, now);
  if (inventory.failures.length > 0) throw new Error(`clean plan: listing failed: ${JSON.stringify(inventory.failures)}`);
  return plan;
}

export interface Expectation {
  /** IDs the clean plan deletes. */
  readonly deletes: ReadonlySet<string>;
  /** IDs the clean plan protects or keeps (everything that is not a candidate). */
  readonly keeps: ReadonlySet<string>;
  /** The fleet's IDs once the plan is carried out. */
  readonly target: readonly string[];
}

export function expectationOf(plan: Plan, before: Fleet): Expectation {
  const deletes = new Set(plan.items.filter((p) => p.decision === 'delete').map((p) => p.id));
  const keeps = new Set(plan.items.filter((p) => p.decision === 'protect' || p.decision === 'keep').map((p) => p.id));
  const target = [...idsIn(before)].filter((id) => !deletes.has(id)).sort();
  return { deletes, keeps, target };
}

// ------------------------------------------------------------------------------------ checking

/** Mutating calls, with the parameter naming what they act on. */
const TARGET_PARAM: Record<string, string> = {
  DeleteImage: 'ImageId',
  RemoveImage: 'ImageId',
  DeleteImagePipeline: 'ImagePipelineId',
};
const DELETING = new Set(Object.keys(TARGET_PARAM));
const TAGGING = new Set(['TagResources', 'UntagResources']);

/** IDs a call acts on (a tag call names up to 50 in ResourceId.N). */
export function targetsOf(call: EmulatorCall): string[] {
  const param = TARGET_PARAM[call.action];
  if (param !== undefined) return call.params[param] !== undefined ? [call.params[param]] : [];
  if (TAGGING.has(call.action)) return Object.entries(call.params).filter(([k]) => k.startsWith('ResourceId.')).map(([, v]) => v);
  return [];
}

/** Whether the call changed the fleet: answered 200, or a lossy fault that the emulator applied. */
export function changedFleet(call: EmulatorCall): boolean {
  return call.status === 200 || call.applied === true;
}

/** ECS images, pipelines and WUYING images the emulator removed (a DeleteImage or DeleteImagePipeline that took effect). */
export function removedBy(calls: readonly EmulatorCall[]): string[] {
  return calls.filter((c) => (c.action === 'DeleteImage' || c.action === 'DeleteImagePipeline') && changedFleet(c)).flatMap(targetsOf);
}

export function faultCounts(calls: readonly EmulatorCall[]): Record<FaultKind, number> {
  const out: Record<FaultKind, number> = { ServiceUnavailable: 0, Throttling: 0, reset: 0, timeout: 0, malformed: 0 };
  for (const c of calls) if (c.fault !== undefined) out[c.fault]++;
  return out;
}

export const ACTED_OUTCOMES = new Set(['deleted', 'already-gone', 'refused', 'failed']);

export interface RunAudit {
  /** Items decided `delete` in this run. */
  readonly candidates: number;
  readonly deleted: string[];
  readonly alreadyGone: string[];
  readonly refused: string[];
  readonly failed: string[];
  readonly skipped: string[];
  /** Candidates with no outcome line. */
  readonly lost: string[];
  /** Items with more than one outcome line. */
  readonly duplicated: string[];
  /** Outcome lines for items the run did not decide to act on. */
  readonly unplanned: string[];
  /** refused/failed/already-gone/skipped lines without a code. */
  readonly withoutCode: string[];
  readonly finishLines: number;
  readonly listingFailures: number;
  /** Decisions by item key `kind/region/id`. */
  readonly decisions: ReadonlyMap<string, string>;
}

const keyOf = (l: Line) => `${String(l['kind'])}/${String(l['region'])}/${String(l['id'])}`;

/** Reads one run's audit log. */
export function auditOf(lines: readonly Line[]): RunAudit {
  const decisions = new Map<string, string>();
  for (const l of lines) if (l['event'] === 'item.decision') decisions.set(keyOf(l), String(l['decision']));
  const outcomes = new Map<string, Line[]>();
  for (const l of lines) {
    if (l['event'] !== 'item.outcome') continue;
    const list = outcomes.get(keyOf(l)) ?? [];
    list.push(l);
    outcomes.set(keyOf(l), list);
  }
  const acted = new Set(['delete', 'mark', 'unmark']);
  const by = (o: string) => [...outcomes.entries()].filter(([, ls]) => ls.some((l) => l['outcome'] === o)).map(([k]) => k.split('/')[2] as string);
  return {
    candidates: [...decisions.values()].filter((d) => d === 'delete').length,
    deleted: by('deleted'),
    alreadyGone: by('already-gone'),
    refused: by('refused'),
    failed: by('failed'),
    skipped: by('skipped'),
    lost: [...decisions.entries()].filter(([k, d]) => acted.has(d) && !outcomes.has(k)).map(([k]) => k),
    duplicated: [...outcomes.entries()].filter(([, ls]) => ls.length > 1).map(([k]) => k),
    unplanned: [...outcomes.keys()].filter((k) => !acted.has(decisions.get(k) ?? '')),
    withoutCode: [...outcomes.values()].flat().filter((l) => l['outcome'] !== 'deleted' && l['outcome'] !== 'marked' && l['outcome'] !== 'unmarked' && !l['code']).map(keyOf),
    finishLines: lines.filter((l) => l['event'] === 'run.finish').length,
    listingFailures: lines.filter((l) => l['event'] === 'inventory.failed').length,
    decisions,
  };
}

export interface Violations {
  /** Mutating calls that named an item the clean plan protects or keeps. */
  readonly touchedKept: string[];
  /** Protected or kept items missing from the fleet afterwards. */
  readonly keptGone: string[];
  /** Deletions the emulator made that the log reports as failed or refused (or not at all). */
  readonly misreported: string[];
}

/** The safety invariants, from the emulator's side. */
export function violations(exp: Expectation, calls: readonly EmulatorCall[], after: Fleet, audits: readonly RunAudit[]): Violations {
  const touchedKept = [...new Set(calls.filter((c) => DELETING.has(c.action) || TAGGING.has(c.action)).flatMap(targetsOf).filter((id) => exp.keeps.has(id)))];
  const now = idsIn(after);
  const keptGone = [...exp.keeps].filter((id) => !now.has(id));
  const reported = new Set(audits.flatMap((a) => [...a.deleted, ...a.alreadyGone]));
  const misreported = [...new Set(removedBy(calls))].filter((id) => !reported.has(id));
  return { touchedKept, keptGone, misreported };
}
