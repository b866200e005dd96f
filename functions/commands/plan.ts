/** `gc plan --policy FILE [--json] [--now ISO] [--endpoint URL]`: list and decide, change nothing. */
import { credentialsFromEnv, setUpClient } from '../client-setup.js';
import { planTable, countsLine } from '../report/table.js';
import { ageInDays, inventoryAndPlan } from '../run.js';
import { type Output, EXIT, endpointFrom, loadPolicyOrThrow, parseNow } from './common.js';

export interface PlanFlags {
  readonly policy: string;
  readonly json?: boolean;
  readonly now?: string;
  readonly endpoint?: string;
}

export async function planCommand(flags: PlanFlags, io: Output, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const loaded = loadPolicyOrThrow(flags.policy);
  const now = parseNow(flags.now);
  const endpoint = endpointFrom(flags.endpoint, env);
  // Planning never changes anything: the client is built in dry-run whatever the policy says.
  const client = setUpClient({ credentials: credentialsFromEnv(env), endpoint, policy: loaded.policy, mode: 'dry-run', deadline: null });
  const { inventory, plan } = await inventoryAndPlan(client.api, loaded.policy, now);
  const troubled = plan.aborted.length > 0 || inventory.failures.length > 0;
  const summary = {
    now: plan.now,
    policyFile: loaded.file,
    policySha256: loaded.sha256,
    mode: loaded.policy.mode,
    listed: plan.items.length,
    counts: plan.counts,
    aborted: plan.aborted,
    listingFailures: inventory.failures,
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
    io.out(`policy mode: ${loaded.policy.mode}${loaded.policy.mode === 'dry-run' ? ' (a run would change nothing)' : ''}`);
  }
  return troubled ? EXIT.troubled : EXIT.ok;
}
