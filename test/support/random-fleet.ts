/**
 * Random fleets and policies for the soak (issue #7), from a seed so a failure can be replayed:
 * every kind, every protection the emulator models (in use, shared, public, busy, not owned, tag
 * keep, protect IDs, running executions), refusals only the API knows (E-HPC jobs, WUYING desktops),
 * ages either side of every threshold, hostile answers the collector is known to read fail-closed,
 * and a policy of random rules over them.
 */
import type { Fleet, FleetImage, FleetPipeline, WuyingImage } from '../emulator/index.js';
import { ago } from './fleets.js';

export type Random = () => number;

const pick = <T>(r: Random, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const chance = (r: Random, p: number) => r() < p;
const int = (r: Random, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

const PREFIXES = ['build', 'app', 'base', 'other'] as const;
const FAMILIES = ['fam-a', 'fam-b', undefined] as const;
/** Hostile answers the collector reads fail-closed (the it.fails findings are left out on purpose). */
const SAFE_HOSTILE: ReadonlyArray<Record<string, unknown>> = [
  { CreationTime: null },
  { CreationTime: 'not a time' },
  { CreationTime: '2099-01-01T00:00:00Z' },
  { Usage: null },
  { IsSelfShared: null },
  { IsPublic: 'maybe' },
  { ImageOwnerAlias: null },
  { Status: 'Frobnicating' },
  { Size: '40' },
];

export interface RandomCase {
  readonly fleet: Fleet;
  readonly policy: string;
  readonly summary: string;
}

export function randomCase(r: Random, size: number): RandomCase {
  const regions = ['cn-hangzhou', 'cn-shanghai'] as const;
  const images: Record<string, FleetImage[]> = { 'cn-hangzhou': [], 'cn-shanghai': [] };
  const protectIds: string[] = [];
  let serial = 0;
  for (const region of regions) {
    const n = int(r, Math.floor(size / 2), size);
    for (let i = 0; i < n; i++) {
      const id = `m-r${region === 'cn-hangzhou' ? 'h' : 's'}${serial++}`;
      const img: FleetImage = {
        ImageId: id,
        ImageName: `${pick(r, PREFIXES)}-${i}`,
        CreationTime: ago(int(r, 0, 400) + r()),
        Size: int(r, 10, 80),
      };
      const family = pick(r, FAMILIES);
      if (family !== undefined) img.ImageFamily = family;
      if (chance(r, 0.06)) img.usedByInstances = int(r, 1, 3);
      if (chance(r, 0.04)) img.sharedWith = ['1111222233334444'];
      if (chance(r, 0.02)) img.isPublic = true;
      if (chance(r, 0.03)) {
        img.Status = 'Creating';
        img.busy = 'creating';
      } else if (chance(r, 0.05)) img.Status = 'CreateFailed';
      if (chance(r, 0.03)) img.ImageOwnerAlias = 'others';
      if (chance(r, 0.05)) img.Tags = { 'image-gc:keep': 'true' };
      else if (chance(r, 0.1)) img.Tags = { team: pick(r, ['hpc', 'web']) };
      if (chance(r, 0.04)) img.answer = pick(r, SAFE_HOSTILE);
      if (chance(r, 0.03)) protectIds.push(id);
      if (region === 'cn-hangzhou' && chance(r, 0.3)) {
        img.ehpc = { osTag: pick(r, ['CentOS_7.9_64', 'Ubuntu_22.04_64']), instantRegistered: chance(r, 0.6), usedByJobs: chance(r, 0.05) };
      }
      images[region]!.push(img);
    }
  }
  const pipelines: FleetPipeline[] = Array.from({ length: int(r, 2, Math.max(3, Math.floor(size / 3))) }, (_, i) => {
    const executions = Array.from({ length: int(r, 0, 3) }, (_, j) => {
      const days = int(r, 0, 120);
      return {
        ExecutionId: `exec-r${i}-${j}`,
        Status: chance(r, 0.1) ? pick(r, ['BUILDING', 'TESTING', 'PREPARING'] as const) : pick(r, ['SUCCESS', 'FAILED', 'CANCELLED'] as const),
        CreationTime: ago(days),
        ModifiedTime: ago(Math.max(0, days - 1)),
      };
    });
    return { ImagePipelineId: `ip-r${i}`, Name: `${pick(r, ['ci', 'manual'])}-${i}`, CreationTime: ago(int(r, 10, 400)), executions };
  });
  const wuying: WuyingImage[] = Array.from({ length: int(r, 2, Math.max(3, Math.floor(size / 2))) }, (_, i) => ({
    ImageId: `imgc-r${i}`,
    ImageName: `${pick(r, ['desk', 'app'])}-${i}`,
    GmtCreate: ago(int(r, 0, 300)).replace('T', ' ').replace('Z', ''),
    Status: chance(r, 0.05) ? 'CREATING' : 'AVAILABLE',
    ImageType: chance(r, 0.05) ? 'Shared' : 'User',
    ProductType: pick(r, ['CloudDesktop', 'CloudApp']),
    ...(chance(r, 0.05) ? { inUse: true } : {}),
    ...(chance(r, 0.03) ? { shared: true } : {}),
  }));

  const rules: string[] = [];
  const keepOf = () => {
    const parts: string[] = [];
    const newest = chance(r, 0.7);
    if (newest) parts.push(`newest: ${int(r, 1, 4)}`);
    if (chance(r, 0.5)) parts.push(`youngerThan: ${int(r, 1, 60)}d`);
    if (newest && chance(r, 0.4)) parts.push(`groupBy: ${pick(r, ['none', 'family'])}`);
    return `{ ${parts.join(', ')} }`;
  };
  if (chance(r, 0.85)) rules.push(`  - name: ecs-${int(r, 1, 9)}\n    resource: ecs-image\n${chance(r, 0.6) ? `    match: { name: "${pick(r, PREFIXES)}-*" }\n` : ''}    keep: ${keepOf()}`);
  if (chance(r, 0.3)) rules.push(`  - name: ecs-tagged\n    resource: ecs-image\n    match: { tags: { team: web } }\n    keep: ${keepOf()}`);
  if (chance(r, 0.7)) rules.push(`  - name: hpc\n    resource: ehpc-image\n    keep: ${keepOf().replace('groupBy: family', `groupBy: ${pick(r, ['family', 'osTag'])}`)}`);
  if (chance(r, 0.7)) rules.push(`  - name: desk\n    resource: wuying-image\n    keep: ${keepOf().replace(/, groupBy: \w+|groupBy: \w+(, )?/, '')}`);
  if (chance(r, 0.7)) rules.push(`  - name: pipes\n    resource: image-pipeline\n${chance(r, 0.5) ? '    match: { name: "ci-*" }\n' : ''}    keep: { activeWithin: ${int(r, 1, 60)}d }`);
  if (rules.length === 0) rules.push('  - name: fallback\n    resource: ecs-image\n    keep: { newest: 1 }');
  const limits = `{ maxDeletionsPerRun: ${pick(r, [5, 40, 10000])}, maxDeletionPercent: ${pick(r, [100, 100, 60])}, concurrency: ${int(r, 1, 6)}, requestsPerSecond: 300 }`;
  const protect = protectIds.length > 0 ? `protect:\n  ids: [${protectIds.join(', ')}]\n` : '';
  const policy = `version: 1\nmode: enforce\nregions: [cn-hangzhou, cn-shanghai]\nlimits: ${limits}\n${protect}rules:\n${rules.join('\n')}\n`;
  const fleet: Fleet = { regions: { 'cn-hangzhou': { images: images['cn-hangzhou']!, pipelines }, 'cn-shanghai': { images: images['cn-shanghai']! } }, wuying: { images: wuying } };
  const total = images['cn-hangzhou']!.length + images['cn-shanghai']!.length + pipelines.length + wuying.length;
  return { fleet, policy, summary: `${total} items, ${rules.length} rules, limits ${limits}` };
}
