/**
 * The benchmark's fleets and policies, generated deterministically (no randomness, fixed dates
 * well in the past), so two runs on two machines plan exactly the same deletions.
 */
import type { Behaviour, Fleet, FleetImage, FleetPipeline, WuyingImage } from '../../emulator/index.js';

export const REGIONS = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'cn-shenzhen'] as const;
export const KEY = { accessKeyId: 'bench-key-id', accessKeySecret: 'bench-key-secret' };
/** The scale runs go through the FC handler, which signs with the role's STS token. */
export const STS_KEY = { accessKeyId: 'STS.bench-key-id', accessKeySecret: 'bench-sts-secret', securityToken: 'bench-sts-token' };

const BASE_MS = Date.UTC(2024, 0, 1);
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
/** 'YYYY-MM-DD HH:mm:ss', as ListImage prints GmtCreate. */
const wuyingTime = (ms: number) => iso(ms).replace('T', ' ').replace('Z', '');

const shortOf = (region: string) => region.replace(/^cn-/, '').slice(0, 3);

/** `n` plain, deletable, own ECS images in each of `regions`. */
export function deletableFleet(regions: readonly string[], perRegion: number, behaviour: Behaviour): Fleet {
  const out: Fleet['regions'] = {};
  for (const region of regions) {
    const s = shortOf(region);
    out[region] = {
      images: Array.from({ length: perRegion }, (_, i) => ({
        ImageId: `m-${s}${String(i).padStart(6, '0')}`,
        ImageName: `build-${s}-${i}`,
        CreationTime: iso(BASE_MS + i * MINUTE),
      })),
    };
  }
  return { credentials: [KEY], regions: out, behaviour };
}

export interface Limits {
  maxDeletionsPerRun: number;
  maxDeletionPercent: number;
  concurrency: number;
  requestsPerSecond: number;
}

/** Every own ECS image is a candidate (keep: {}), deleted at once (no grace). */
export function deleteAllPolicy(regions: readonly string[], limits: Limits, mode: 'enforce' | 'dry-run' = 'enforce'): string {
  return `version: 1
mode: ${mode}
regions: [${regions.join(', ')}]
limits: { maxDeletionsPerRun: ${limits.maxDeletionsPerRun}, maxDeletionPercent: ${limits.maxDeletionPercent}, concurrency: ${limits.concurrency}, requestsPerSecond: ${limits.requestsPerSecond} }
rules:
  - name: every-image
    resource: ecs-image
    keep: {}
`;
}

// ---------------------------------------------------------------- listing

export interface ListingShape {
  /** Per region: own ECS images that E-HPC does not list. */
  readonly ecs: number;
  /** Per region: own ECS images that E-HPC lists too. */
  readonly ehpc: number;
  /** Per region. */
  readonly pipelines: number;
  /** Executions per pipeline. */
  readonly executionsPer: number;
  /** Global. */
  readonly wuying: number;
}

export function listingFleet(regions: readonly string[], shape: ListingShape): Fleet {
  const out: Fleet['regions'] = {};
  for (const region of regions) {
    const s = shortOf(region);
    const images: FleetImage[] = [];
    for (let i = 0; i < shape.ecs + shape.ehpc; i++) {
      const ehpc = i < shape.ehpc;
      images.push({
        ImageId: `m-${s}${ehpc ? 'h' : 'e'}${String(i).padStart(6, '0')}`,
        ImageName: `${ehpc ? 'hpc' : 'app'}-${i}`,
        CreationTime: iso(BASE_MS + i * MINUTE),
        ImageFamily: `fam-${i % 20}`,
        ...(ehpc ? { ehpc: { osTag: i % 2 === 0 ? 'CentOS_7.9_64' : 'Ubuntu_22.04_64', instantRegistered: i % 2 === 0 } } : {}),
      });
    }
    const pipelines: FleetPipeline[] = Array.from({ length: shape.pipelines }, (_, p) => ({
      ImagePipelineId: `ip-${s}${String(p).padStart(6, '0')}`,
      Name: `pipe-${p}`,
      CreationTime: iso(BASE_MS + p * MINUTE),
      executions: Array.from({ length: shape.executionsPer }, (_, e) => ({
        ExecutionId: `exec-${s}${String(p).padStart(6, '0')}-${e}`,
        Status: 'SUCCESS' as const,
        CreationTime: iso(BASE_MS + p * MINUTE + (e + 1) * 1000),
      })),
    }));
    out[region] = { images, pipelines };
  }
  const wuying: WuyingImage[] = Array.from({ length: shape.wuying }, (_, i) => ({
    ImageId: `imgc-${String(i).padStart(7, '0')}`,
    ImageName: `desk-${i}`,
    GmtCreate: wuyingTime(BASE_MS + i * MINUTE),
  }));
  return { credentials: [KEY], regions: out, wuying: { images: wuying } };
}

export type Kind = 'ecs-image' | 'ehpc-image' | 'wuying-image' | 'image-pipeline';

/** A dry-run policy with one rule per kind named; limits that never stop a run. */
export function listingPolicy(regions: readonly string[], kinds: readonly Kind[]): string {
  const rules = kinds.map((k) => {
    if (k === 'image-pipeline') return `  - name: pipelines\n    resource: image-pipeline\n    keep: { activeWithin: 30d }\n`;
    if (k === 'ehpc-image') return `  - name: ehpc\n    resource: ehpc-image\n    keep: { newest: 3, groupBy: osTag }\n`;
    if (k === 'wuying-image') return `  - name: wuying\n    resource: wuying-image\n    keep: { newest: 10 }\n`;
    return `  - name: ecs\n    resource: ecs-image\n    keep: { newest: 5, groupBy: family }\n`;
  });
  return `version: 1
mode: dry-run
regions: [${regions.join(', ')}]
limits: { maxDeletionsPerRun: 1000000, maxDeletionPercent: 100, concurrency: 16, requestsPerSecond: 1000 }
rules:
${rules.join('')}`;
}

/**
 * The fewest API calls that can list `kinds` in `regions` of `fleet`: ceil(n/100) pages
 * (at least one) of DescribeImages and ListImage, one ListCustomImages per region plus the
 * DescribeImages join at 100 IDs a call (nothing extra when ecs-image is listed anyway), and
 * ceil(n/500) pages (at least one) of each pipeline listing.
 */
export function listingMinimum(fleet: Fleet, regions: readonly string[], kinds: readonly Kind[]): Record<string, number> {
  const pages = (n: number, size: number) => Math.max(1, Math.ceil(n / size));
  const min: Record<string, number> = {};
  const add = (action: string, n: number) => (min[action] = (min[action] ?? 0) + n);
  for (const region of regions) {
    const images = fleet.regions[region]?.images ?? [];
    const own = images.filter((i) => (i.ImageOwnerAlias ?? 'self') === 'self');
    const ehpc = images.filter((i) => i.ehpc !== undefined);
    if (kinds.includes('ecs-image')) add('DescribeImages', pages(own.length, 100));
    if (kinds.includes('ehpc-image')) {
      add('ListCustomImages', 1);
      if (!kinds.includes('ecs-image') && ehpc.length > 0) add('DescribeImages', Math.ceil(ehpc.length / 100));
    }
    if (kinds.includes('image-pipeline')) {
      const pipelines = fleet.regions[region]?.pipelines ?? [];
      add('DescribeImagePipelines', pages(pipelines.length, 500));
      add('DescribeImagePipelineExecutions', pages(pipelines.reduce((n, p) => n + (p.executions?.length ?? 0), 0), 500));
    }
  }
  if (kinds.includes('wuying-image')) {
    // Listed once per WUYING endpoint the policy names, cn-shanghai when it names neither.
    const endpoints = ['cn-shanghai', 'ap-southeast-1'].filter((r) => regions.includes(r));
    add('ListImage', Math.max(1, endpoints.length) * pages(fleet.wuying?.images?.length ?? 0, 100));
  }
  return min;
}

// ---------------------------------------------------------------- scale

/**
 * `total` images across four regions: per region 75 % plain ECS images in 50 families and 20 %
 * E-HPC images, plus 5 % WUYING images (global); one pipeline per 400 images with two executions.
 * Some are protected (5 % used by instances, 1 % tagged image-gc:keep), as in a real account.
 */
export function scaleFleet(total: number, behaviour: Behaviour): Fleet {
  const perRegion = Math.round((total * 0.95) / REGIONS.length);
  const ehpcPerRegion = Math.round((total * 0.2) / REGIONS.length);
  const wuyingCount = total - perRegion * REGIONS.length;
  const span = 2 * 365 * 24 * 60; // two years, in minutes
  const regions: Fleet['regions'] = {};
  for (const region of REGIONS) {
    const s = shortOf(region);
    const images: FleetImage[] = Array.from({ length: perRegion }, (_, i) => {
      const ehpc = i < ehpcPerRegion;
      const image: FleetImage = {
        ImageId: `m-${s}${String(i).padStart(7, '0')}`,
        ImageName: `${ehpc ? 'hpc' : 'app'}-${i % 50}-${i}`,
        CreationTime: iso(BASE_MS + ((i * 7919) % span) * MINUTE),
        ImageFamily: `fam-${i % 50}`,
        Size: 40,
      };
      if (i % 20 === 7) image.usedByInstances = 1;
      if (i % 100 === 3) image.Tags = { 'image-gc:keep': 'true' };
      if (ehpc) image.ehpc = { osTag: ['CentOS_7.9_64', 'Ubuntu_22.04_64', 'AliyunLinux_3_64', 'Rocky_9_64'][i % 4] as string, instantRegistered: i % 2 === 0 };
      return image;
    });
    const pipelines: FleetPipeline[] = Array.from({ length: Math.ceil(perRegion / 400) }, (_, p) => ({
      ImagePipelineId: `ip-${s}${String(p).padStart(6, '0')}`,
      CreationTime: iso(BASE_MS + p * 60 * MINUTE),
      executions: [0, 1].map((e) => ({
        ExecutionId: `exec-${s}${String(p).padStart(6, '0')}-${e}`,
        Status: 'SUCCESS' as const,
        CreationTime: iso(BASE_MS + p * 60 * MINUTE + (e + 1) * MINUTE),
      })),
    }));
    regions[region] = { images, pipelines };
  }
  const wuying: WuyingImage[] = Array.from({ length: wuyingCount }, (_, i) => ({
    ImageId: `imgc-${String(i).padStart(7, '0')}`,
    ImageName: `desk-${i}`,
    GmtCreate: wuyingTime(BASE_MS + ((i * 7919) % span) * MINUTE),
  }));
  return { credentials: [STS_KEY], regions, wuying: { images: wuying }, behaviour };
}

export function scalePolicy(limits: Limits, mode: 'enforce' | 'dry-run'): string {
  return `version: 1
mode: ${mode}
regions: [${REGIONS.join(', ')}]
limits: { maxDeletionsPerRun: ${limits.maxDeletionsPerRun}, maxDeletionPercent: ${limits.maxDeletionPercent}, concurrency: ${limits.concurrency}, requestsPerSecond: ${limits.requestsPerSecond} }
rules:
  - name: ecs-keep-5-per-family
    resource: ecs-image
    keep: { newest: 5, groupBy: family, youngerThan: 30d }
  - name: ehpc-keep-3-per-os
    resource: ehpc-image
    keep: { newest: 3, groupBy: osTag, youngerThan: 30d }
  - name: wuying-keep-10
    resource: wuying-image
    keep: { newest: 10 }
  - name: idle-pipelines
    resource: image-pipeline
    keep: { activeWithin: 30d }
`;
}

export function imagesIn(fleet: Fleet): number {
  let n = fleet.wuying?.images?.length ?? 0;
  for (const r of Object.values(fleet.regions)) n += r.images?.length ?? 0;
  return n;
}
