/**
 * Child process of the scale benchmark: lists the fleet through the real inventory (dry-run
 * client), then times plan() with process.cpuUsage: the first call in this fresh process (the
 * planner not yet compiled, as in a cold function) and five more.
 * argv: POLICY_FILE ENDPOINT. Result: one JSON object on fd 3.
 */
import { writeSync } from 'node:fs';
import { setUpClient } from '../../../functions/client-setup.js';
import { takeInventory } from '../../../functions/inventory/index.js';
import { plan } from '../../../functions/plan/planner.js';
import { loadPolicyFile } from '../../../functions/policy/load.js';
import { STS_KEY } from '../lib/fleets.js';

async function main(): Promise<void> {
  const [policyFile, endpoint] = process.argv.slice(2) as [string, string];
  const loaded = loadPolicyFile(policyFile);
  if (!loaded.ok) throw new Error(`policy: ${JSON.stringify(loaded.errors)}`);
  const client = setUpClient({ credentials: { kind: 'static', ...STS_KEY }, endpoint, policy: loaded.policy, mode: 'dry-run', deadline: null });
  const t0 = performance.now();
  const inventory = await takeInventory(client.api, loaded.policy);
  const listWallS = (performance.now() - t0) / 1000;
  if (inventory.failures.length > 0) throw new Error(`listing failed: ${JSON.stringify(inventory.failures)}`);
  const now = new Date();
  const cpuS: number[] = [];
  const wallS: number[] = [];
  let items = 0;
  for (let i = 0; i < 6; i++) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    const p = plan(inventory, loaded.policy, now);
    wallS.push((performance.now() - w0) / 1000);
    const c = process.cpuUsage(c0);
    cpuS.push((c.user + c.system) / 1e6);
    items = p.items.length;
  }
  writeSync(3, JSON.stringify({ items, listWallS, cpuS, wallS }));
}

main().catch((e: unknown) => {
  process.stderr.write(`plan-child: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
