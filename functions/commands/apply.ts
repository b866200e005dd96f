/**
 * `gc apply PLAN.json [--policy FILE] [--dry-run] [--now ISO] [--deadline ISO] [--endpoint URL] [--log FILE]`:
 * carries out a reviewed plan file (docs/plan-apply.md), deleting its `delete` items and nothing
 * else: no marks, no unmarks, no new candidates (those wait for the next plan).
 *
 * The plan is refused as a whole, before anything is listed or changed, when it is tampered with
 * (checksum), expired, made with another policy, or made in another account (STS). Then a fresh
 * inventory is taken (read-only) and every reviewed deletion is checked against a fresh plan (same
 * policy, now, caps off) and against the facts it was reviewed on; what changed is refused with
 * code `changed`. What passes is deleted through the sweep, which reads each item once more right
 * before its deletion (sweep/recheck.ts), rate-limited like a run and within the deadline.
 */
import { credentialsFromEnv, setUpClient } from '../client-setup.js';
import { isCloudError } from '../cloud/errors.js';
import { kindsOf } from '../inventory/index.js';
import { itemKey, type InventoryItem } from '../inventory/types.js';
import { resolveMode } from '../mode.js';
import { diffFacts, factsOf, itemFromFacts, type ReviewedFacts } from '../plan-file/facts.js';
import { accountOf } from '../plan-file/out.js';
import { checkAccount, checkExpiry, checkPolicy, PlanRefused, readPlanFile } from '../plan-file/read.js';
import { planKeyFrom } from '../plan-file/seal.js';
import type { PlanFile, PlanFileItem } from '../plan-file/types.js';
import { plan as makePlan } from '../plan/planner.js';
import { countDecisions, type Plan, type PlanItem } from '../plan/types.js';
import { summarise, type RunSummary } from '../report/summary.js';
import { outcomeTable, summaryText } from '../report/table.js';
import { ageInDays, takeLoggedInventory, withApiErrorLog, type LoadedPolicy } from '../run.js';
import { makeRecheck, noLongerCandidate, recheckOutcome, withoutCaps } from '../sweep/recheck.js';
import { sweep } from '../sweep/sweep.js';
import type { ItemOutcome, SnapshotOutcome } from '../sweep/types.js';
import { VERSION } from '../version.js';
import { BadInput, EXIT, type Output, endpointFrom, openAuditLog, loadPolicyOrThrow, parseNow, parseDeadline, readTimeoutOption } from './common.js';

export interface ApplyFlags {
  readonly policy?: string;
  readonly dryRun?: boolean;
  readonly now?: string;
  readonly deadline?: string;
  readonly endpoint?: string;
  readonly log?: string;
}

export interface ApplyResult {
  readonly exit: number;
  readonly summary: RunSummary | null;
  readonly outcomes: readonly ItemOutcome[];
  /** Reviewed deletions that passed every check: deleted in enforce, listed only in dry-run. */
  readonly wouldDelete: readonly PlanItem[];
  readonly logFile: string | null;
}

function planItemOf(i: PlanFileItem): PlanItem {
  const { facts: _facts, ...item } = i;
  return item;
}

function loadPolicyFor(file: PlanFile, flag: string | undefined): LoadedPolicy {
  if (flag !== undefined) return loadPolicyOrThrow(flag);
  try {
    return loadPolicyOrThrow(file.policy.path);
  } catch (e) {
    if (e instanceof BadInput) {
      throw new BadInput(`the plan names the policy ${file.policy.file} (${file.policy.path}), which cannot be loaded; pass --policy FILE\n${e.message}`);
    }
    throw e;
  }
}

export async function applyCommand(planPath: string, flags: ApplyFlags, io: Output, env: NodeJS.ProcessEnv = process.env): Promise<ApplyResult> {
  const now = parseNow(flags.now);
  const deadline = parseDeadline(flags.deadline);
  const endpoint = endpointFrom(flags.endpoint, env);
  const credentials = credentialsFromEnv(env);
  const { runId, human, logFile, log } = openAuditLog(flags.log, io, credentials, env);
  const refuse = (e: PlanRefused): never => {
    log.runRejected(`plan refused (${e.reason})`, [e.message]);
    throw new BadInput(`plan ${planPath} refused (${e.reason}): ${e.message}${logFile !== null ? `\naudit log: ${logFile}` : ''}`);
  };

  // Everything that can refuse the plan as a whole comes before the first listing call.
  let file: PlanFile;
  let loaded: LoadedPolicy;
  try {
    file = readPlanFile(planPath, planKeyFrom(env));
    checkExpiry(file, Date.now());
    loaded = loadPolicyFor(file, flags.policy);
    checkPolicy(file, loaded);
  } catch (e) {
    if (e instanceof PlanRefused) return refuse(e);
    if (e instanceof BadInput) log.runRejected('bad input', [e.message]);
    throw e;
  }
  const policy = loaded.policy;
  const mode = resolveMode(policy.mode, [{ by: '--dry-run flag', mode: flags.dryRun ? 'dry-run' : undefined }]);
  const client = setUpClient({ credentials, endpoint, policy, mode: mode.mode, deadline: null, ...readTimeoutOption(env) });
  const api = withApiErrorLog(client.api, log);
  try {
    checkAccount(file, (await accountOf(api, policy.regions)).accountId);
  } catch (e) {
    if (e instanceof PlanRefused) return refuse(e);
    const why = isCloudError(e) ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
    log.runRejected('the account could not be established', [why]);
    io.err(`image-gc: cannot tell which account these credentials belong to (STS GetCallerIdentity failed: ${why}); nothing was listed or changed`);
    return { exit: EXIT.troubled, summary: null, outcomes: [], wouldDelete: [], logFile };
  }

  const started = Date.now();
  log.runStart({
    mode: mode.mode,
    modeReason: mode.reason,
    policyFile: loaded.file,
    policySha256: loaded.sha256,
    regions: policy.regions,
    kinds: kindsOf(policy),
    now: now.toISOString(),
    deadline: deadline === null ? null : new Date(deadline).toISOString(),
    trigger: { name: 'cli', time: new Date(started).toISOString() },
    version: VERSION,
    command: 'apply',
    planFile: planPath,
    planChecksum: `${file.checksum.algorithm}:${file.checksum.value}`,
  });
  for (const note of mode.ignored) log.warn('run.warning', note);

  // A fresh inventory of the plan's kinds and regions (the same policy lists the same ones), and a
  // fresh plan with the caps off: the reviewed plan chose which deletions, caps included.
  // A failed in-use lookup protects every image of its region in the fresh plan: those are refused below.
  const inventory = await takeLoggedInventory(api, policy, log);
  const fresh = makePlan(inventory, withoutCaps(policy), now);
  const freshByKey = new Map(fresh.items.map((p) => [itemKey(p), p]));
  const listedByKey = new Map<string, InventoryItem>(inventory.items.map((i) => [itemKey(i), i]));
  const failedSlices = new Map(inventory.failures.map((f) => [`${f.kind}/${f.region}`, f]));

  const reviewedItems = file.items.filter((i) => i.decision === 'delete');
  const reviewedFacts = new Map<string, ReviewedFacts>(reviewedItems.map((i) => [itemKey(i), i.facts as ReviewedFacts]));
  for (const i of reviewedItems) log.decision(planItemOf(i), mode.mode, ageInDays(i.createdAt, now));

  const recheck = makeRecheck({
    api,
    policy,
    now,
    items: inventory.items,
    baseline: (p, listed) => reviewedFacts.get(itemKey(p)) ?? factsOf(listed),
    decided: (listed) => freshByKey.get(itemKey(listed)),
  });
  const outcomes: ItemOutcome[] = [];
  const report = (o: ItemOutcome) => {
    outcomes.push(o);
    log.outcome(o);
  };
  const stop = (p: PlanItem, fields: Pick<ItemOutcome, 'outcome' | 'code' | 'message'> & Partial<ItemOutcome>) =>
    report({ kind: p.kind, region: p.region, id: p.id, name: p.name, decision: p.decision, rule: p.rule, httpStatus: null, requestId: null, steps: [], durationMs: 0, gibReclaimed: 0, ...fields });

  // First pass, before any deletion: each reviewed deletion against the fresh listing and plan.
  const toDelete: PlanItem[] = [];
  // What the sweep deletes from: the fresh listing, plus the re-read record of a reviewed item the
  // listing no longer shows (each key is reviewed once, so adding it changes no later lookup).
  const sweepInventory = listedByKey;
  for (const reviewed of reviewedItems) {
    const p = planItemOf(reviewed);
    const key = itemKey(p);
    const facts = reviewedFacts.get(key) as ReviewedFacts;
    const failure = failedSlices.get(`${p.kind}/${p.region}`);
    if (failure !== undefined) {
      stop(p, { outcome: 'failed', code: 'ListingFailed', message: `listing ${p.kind} in ${p.region} failed (${failure.code}): it cannot be checked against a fresh plan, so it was not deleted` });
      continue;
    }
    const listed = listedByKey.get(key);
    if (listed === undefined) {
      // Not in the fresh listing: gone, or no longer listed as the account's own. One re-read tells.
      const verdict = await recheck(p, itemFromFacts(p, facts));
      const stopped = recheckOutcome(verdict);
      if (stopped !== null) stop(p, stopped);
      else if (verdict.verdict === 'ok') {
        sweepInventory.set(key, verdict.fresh);
        toDelete.push(p);
      }
      continue;
    }
    const changes = diffFacts(facts, factsOf(listed));
    const decidedNow = freshByKey.get(key);
    if (decidedNow !== undefined && decidedNow.decision !== 'delete') changes.push(noLongerCandidate(decidedNow));
    if (changes.length > 0) {
      stop(p, { outcome: 'refused', code: 'changed', message: `changed since the plan was reviewed: ${changes.join('; ')}`, steps: ['fresh-plan:changed'] });
      continue;
    }
    toDelete.push(p);
  }

  // Second pass: the deletions, each re-read right before it (in dry-run, the re-read only).
  const wouldDelete: PlanItem[] = [];
  const snapshotOutcomes: SnapshotOutcome[] = [];
  if (mode.mode === 'enforce') {
    const plan: Plan = { now: now.toISOString(), items: toDelete, aborted: [], counts: countDecisions(toDelete) };
    await sweep({
      api,
      plan,
      inventory: sweepInventory,
      concurrency: policy.limits.concurrency,
      deadline: deadline ?? Number.POSITIVE_INFINITY,
      onDeleting: (p) => log.deleting(p),
      onOutcome: report,
      // The reviewed snapshots of a deleted image (deleteSnapshots), each checked again before it goes.
      onSnapshotOutcome: (o) => {
        snapshotOutcomes.push(o);
        log.snapshotOutcome(o);
      },
      recheck,
    });
  } else {
    for (const p of toDelete) {
      const verdict = await recheck(p, sweepInventory.get(itemKey(p)) as InventoryItem);
      const stopped = recheckOutcome(verdict);
      if (stopped !== null) stop(p, stopped);
      else wouldDelete.push(p);
    }
  }

  const reviewedPlan: Plan = { now: file.now, items: file.items.map(planItemOf), aborted: [], counts: countDecisions(file.items) };
  const stats = client.stats();
  const base = summarise({
    runId,
    mode: mode.mode,
    policyFile: loaded.file,
    policySha256: loaded.sha256,
    plan: reviewedPlan,
    listed: inventory.listed,
    listingFailures: inventory.failures,
    outcomes,
    startedAt: started,
    finishedAt: Date.now(),
    apiCalls: stats.calls,
    throttled: stats.throttled,
    snapshotOutcomes,
    lookupFailures: inventory.lookupFailures ?? [],
    ...(policy.costs !== undefined && { costs: policy.costs }),
  });
  // As a run's, and a refusal too: something reviewed did not happen as reviewed.
  const troubled = base.exitStatus !== 0 || outcomes.some((o) => o.outcome === 'refused' || o.outcome === 'failed' || o.outcome === 'skipped');
  const summary: RunSummary = { ...base, exitStatus: troubled ? 1 : 0 };
  log.runFinish(summary);

  const lines: string[] = [];
  if (outcomes.length > 0) lines.push(outcomeTable(outcomes, { color: io.isTTY }));
  for (const o of outcomes) if (o.outcome === 'refused' && o.code === 'changed') lines.push(`REFUSED ${o.kind} ${o.id}: ${o.message ?? ''}`);
  if (mode.mode === 'dry-run') {
    lines.push(`dry-run (${mode.reason}): nothing was changed; ${wouldDelete.length} of ${reviewedItems.length} reviewed deletion(s) would go now`);
    for (const p of wouldDelete) lines.push(`  would delete ${p.kind} ${p.region} ${p.id} (${p.name})`);
  }
  lines.push(summaryText(summary));
  if (logFile !== null) lines.push(`audit log: ${logFile}`);
  if (human) io.out(lines.join('\n'));
  else io.err(lines.join('\n'));
  return { exit: summary.exitStatus, summary, outcomes, wouldDelete, logFile };
}
