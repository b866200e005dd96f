/**
 * `gc plan --policy FILE [--json] [--now ISO] [--endpoint URL] [--out FILE [--ttl 24h]]`: list and
 * decide, change nothing; --out also writes the plan file `gc apply` carries out (docs/plan-apply.md).
 */
import { credentialsFromEnv, setUpClient } from '../client-setup.js';
import { accountForPlan, planOutTarget, savedLine, savePlanFile } from '../plan-file/out.js';
import { plannedStorage } from '../report/summary.js';
import { planTable, countsLine, snapshotPlanLines } from '../report/table.js';
import { ageInDays, inventoryAndPlan } from '../run.js';
import { type Output, EXIT, endpointFrom, loadPolicyOrThrow, parseNow, readTimeoutOption } from './common.js';

export interface PlanFlags {
  readonly policy: string;
  readonly json?: boolean;
  readonly now?: string;
  readonly endpoint?: string;
  /** Write the plan file here (docs/plan-apply.md). */
  readonly out?: string;
  /** How long the plan file may be applied: 24h unless given, at most 7d. */
  readonly ttl?: string;
}

export async function planCommand(flags: PlanFlags, io: Output, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const loaded = loadPolicyOrThrow(flags.policy);
  const now = parseNow(flags.now);
  const endpoint = endpointFrom(flags.endpoint, env);
  const out = planOutTarget(flags, env);
  // Planning never changes anything: the client is built in dry-run whatever the policy says.
  const client = setUpClient({ credentials: credentialsFromEnv(env), endpoint, policy: loaded.policy, mode: 'dry-run', deadline: null, ...readTimeoutOption(env) });
  // The account first, so that a plan file names the account its listing came from.
  const account = out === null ? null : await accountForPlan(client.api, loaded.policy.regions);
  const { inventory, plan } = await inventoryAndPlan(client.api, loaded.policy, now);
  const saved = out === null || account === null ? null : savePlanFile({ target: out, account, loaded, plan, inventory });
  const lookupFailures = inventory.lookupFailures ?? [];
  const troubled = plan.aborted.length > 0 || inventory.failures.length > 0 || lookupFailures.length > 0;
  const summary = {
    now: plan.now,
    policyFile: loaded.file,
    policySha256: loaded.sha256,
    mode: loaded.policy.mode,
    listed: plan.items.length,
    counts: plan.counts,
    aborted: plan.aborted,
    listingFailures: inventory.failures,
    lookupFailures,
    storage: plannedStorage(plan, loaded.policy.costs),
    apiCalls: client.stats().calls,
  };
  if (flags.json) {
    const items = plan.items.map((p) => ({ ...p, ageDays: ageInDays(p.createdAt, now) }));
    io.out(JSON.stringify({ items, summary }, null, 2));
  } else {
    io.out(planTable(plan.items, now, { color: io.isTTY }));
    io.out('');
    io.out(`${plan.items.length} items, ${summary.apiCalls} API calls; decisions: ${countsLine(plan.counts)}`);
    for (const g of plan.aborted) io.out(`ABORTED ${g.kind} in ${g.region}: ${g.candidates} of ${g.listed} (${g.percent}%) would go, above maxDeletionPercent ${g.limit}`);
    for (const f of inventory.failures) io.out(`LISTING FAILED ${f.kind} in ${f.region}: ${f.code}: ${f.message}`);
    for (const f of lookupFailures) io.out(`IN-USE LOOKUP FAILED ${f.lookup} in ${f.region}: ${f.action} ${f.code}: every image there is protected`);
    for (const line of snapshotPlanLines(plan.items, summary.storage)) io.out(line);
    io.out(`policy mode: ${loaded.policy.mode}${loaded.policy.mode === 'dry-run' ? ' (a run would change nothing)' : ''}`);
  }
  if (out !== null && saved !== null) {
    // With --json, stdout holds only the JSON.
    if (flags.json) io.err(savedLine(out, saved));
    else io.out(savedLine(out, saved));
  }
  return troubled ? EXIT.troubled : EXIT.ok;
}
