/**
 * Child process of the scale benchmark: lists the fleet through the real inventory (dry-run
 * client), then times plan() with process.cpuUsage: the first call in this fresh process (the
 * planner not yet compiled, as in a cold function) and five more.
 * Run with --expose-gc, it also reports the live heap the inventory and one plan hold.
 * argv: POLICY_FILE ENDPOINT. Result: one JSON object on fd 3.
 */
import { writeSync } from 'node:fs';
import { setUpClient } from '../../../functions/client-setup.js';
import { takeInventory } from '../../../functions/inventory/index.js';
import { plan } from '../../../functions/plan/planner.js';
import { loadPolicyFile } from '../../../functions/policy/load.js';
import { STS_KEY } from '../lib/fleets.js';

/** heapUsed after a full collection (node --expose-gc), or null without it. */
function liveHeap(): number | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return null;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function main(): Promise<void> {
  const [policyFile, endpoint] = process.argv.slice(2) as [string, string];
  const loaded = loadPolicyFile(policyFile);
  if (!loaded.ok) throw new Error(`policy: ${JSON.stringify(loaded.errors)}`);
  const client = setUpClient({ credentials: { kind: 'static', ...STS_KEY }, endpoint, policy: loaded.policy, mode: 'dry-run', deadline: null });
  const heap0 = liveHeap();
  const t0 = performance.now();
  const inventory = await takeInventory(client.api, loaded.policy);
  const listWallS = (performance.now() - t0) / 1000;
  const heapInventory = liveHeap();
  if (inventory.failures.length > 0) throw new Error(`listing failed: ${JSON.stringify(inventory.failures)}`);
  const now = new Date();
  const cpuS: number[] = [];
  const wallS: number[] = [];
  let last: ReturnType<typeof plan> | undefined;
  for (let i = 0; i < 6; i++) {
    last = undefined;
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    last = plan(inventory, loaded.policy, now);
    wallS.push((performance.now() - w0) / 1000);
    const c = process.cpuUsage(c0);
    cpuS.push((c.user + c.system) / 1e6);
  }
  const heapPlan = liveHeap();
  const items = last?.items.length ?? 0;
  // Live heap (after a full collection) held by the inventory, and by one plan of it, in bytes.
  const heap = heap0 === null || heapInventory === null || heapPlan === null ? null : { inventory: heapInventory - heap0, plan: heapPlan - heapInventory };
  writeSync(3, JSON.stringify({ items, listWallS, cpuS, wallS, heap, inventoryItems: inventory.items.length }));
}

main().catch((e: unknown) => {
  process.stderr.write(`plan-child: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
