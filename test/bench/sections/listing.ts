/**
 * §3 Listing cost: the API calls a dry run makes to list each kind (the emulator's call log),
 * against the fewest that can list it (lib/fleets.ts, listingMinimum).
 */
import { runInProcess } from '../lib/collector.js';
import type { EmulatorProcess } from '../lib/emulator-process.js';
import { listingFleet, listingMinimum, listingPolicy, REGIONS, type Kind, type ListingShape } from '../lib/fleets.js';
import { round, sum } from '../lib/stats.js';
import type { ListingCase } from '../types.js';

interface Case {
  readonly name: string;
  readonly kinds: readonly Kind[];
  readonly regions: number;
  readonly shape: ListingShape;
}

const NONE: ListingShape = { ecs: 0, ehpc: 0, pipelines: 0, executionsPer: 0, wuying: 0 };

export function listingCases(quick: boolean): Case[] {
  const n = quick ? 350 : 2_350;
  const big = quick ? 1_000 : 10_000;
  return [
    { name: `ecs-image, ${n} images`, kinds: ['ecs-image'], regions: 1, shape: { ...NONE, ecs: n } },
    { name: `ecs-image, ${big} images (whole pages)`, kinds: ['ecs-image'], regions: 1, shape: { ...NONE, ecs: big } },
    { name: `ehpc-image alone, ${Math.round(n / 2)} of ${n} images`, kinds: ['ehpc-image'], regions: 1, shape: { ...NONE, ecs: n - Math.round(n / 2), ehpc: Math.round(n / 2) } },
    { name: `ehpc-image + ecs-image, ${n} images`, kinds: ['ehpc-image', 'ecs-image'], regions: 1, shape: { ...NONE, ecs: n - Math.round(n / 2), ehpc: Math.round(n / 2) } },
    { name: `wuying-image, ${n} images`, kinds: ['wuying-image'], regions: 1, shape: { ...NONE, wuying: n } },
    { name: `image-pipeline, ${n / 2} pipelines × 2 executions`, kinds: ['image-pipeline'], regions: 1, shape: { ...NONE, pipelines: n / 2, executionsPer: 2 } },
    {
      name: `all kinds, 4 regions, ${big} images`,
      kinds: ['ecs-image', 'ehpc-image', 'wuying-image', 'image-pipeline'],
      regions: 4,
      shape: { ecs: (big * 0.75) / 4, ehpc: (big * 0.2) / 4, wuying: big * 0.05, pipelines: big / 400, executionsPer: 2 },
    },
  ];
}

export async function runListing(emu: EmulatorProcess, quick: boolean, progress: (line: string) => void): Promise<ListingCase[]> {
  const out: ListingCase[] = [];
  for (const c of listingCases(quick)) {
    const regions = REGIONS.slice(0, c.regions);
    const fleet = listingFleet(regions, c.shape);
    await emu.loadFleet(fleet);
    const run = await runInProcess({ endpoint: emu.url, policyYaml: listingPolicy(regions, c.kinds) });
    const minimum = listingMinimum(fleet, regions, c.kinds);
    const calls: Record<string, number> = {};
    const otherCalls: Record<string, number> = {};
    for (const call of await emu.calls()) {
      const into = call.action in minimum ? calls : otherCalls;
      into[call.action] = (into[call.action] ?? 0) + 1;
    }
    const totalCalls = sum(Object.values(calls));
    const totalMinimum = sum(Object.values(minimum));
    const images = c.regions * (c.shape.ecs + c.shape.ehpc) + c.shape.wuying;
    const result: ListingCase = {
      name: c.name,
      kinds: c.kinds,
      regions: c.regions,
      images,
      pipelines: c.regions * c.shape.pipelines,
      executions: c.regions * c.shape.pipelines * c.shape.executionsPer,
      calls,
      minimum,
      totalCalls,
      totalMinimum,
      ratio: round(totalCalls / totalMinimum),
      otherCalls,
      listed: run.result.inventory.items.length,
      wallS: round(run.wallMs / 1000),
    };
    out.push(result);
    const other = Object.keys(otherCalls).length > 0 ? `; other calls ${JSON.stringify(otherCalls)}` : '';
    progress(`  ${c.name}: ${totalCalls} listing calls, minimum ${totalMinimum} (${result.ratio}×) ${JSON.stringify(calls)}${other}`);
    const expected =
      c.regions * ((c.kinds.includes('ecs-image') ? c.shape.ecs : 0) + (c.kinds.includes('ehpc-image') || c.kinds.includes('ecs-image') ? c.shape.ehpc : 0) + (c.kinds.includes('image-pipeline') ? c.shape.pipelines : 0)) +
      (c.kinds.includes('wuying-image') ? c.shape.wuying : 0);
    if (result.listed !== expected) progress(`  WARNING: ${result.listed} items in the inventory, expected ${expected}: ${JSON.stringify(run.result.inventory.failures ?? [])}`);
  }
  return out;
}
