/**
 * Small fleets for end-to-end tests, one per kind, with ages relative to a fixed clock. Each has
 * candidates, items kept by the rules, and items every protection covers that the planner can see
 * (API-only refusals are left out, so "the state afterwards holds exactly what the plan kept" is
 * exact).
 */
import type { Fleet, FleetImage, FleetPipeline, WuyingImage } from '../emulator/index.js';

export const E2E_NOW = new Date('2026-11-01T00:00:00Z');
const DAY = 86_400_000;

export function ago(days: number, now = E2E_NOW): string {
  return new Date(now.getTime() - days * DAY).toISOString().replace('.000Z', 'Z');
}

function image(id: string, name: string, days: number, extra: Partial<FleetImage> = {}): FleetImage {
  return { ImageId: id, ImageName: name, CreationTime: ago(days), Status: 'Available', Size: 20, ImageOwnerAlias: 'self', ...extra };
}

/** ECS images in two regions: 6 builds per region, plus one of each protection. */
export function ecsFleet(): Fleet {
  const builds = (prefix: string, region: string) =>
    [1, 10, 20, 40, 60, 80].map((d, i) => image(`m-${prefix}build${i}`, `build-${region}-${i}`, d, { ImageFamily: 'app' }));
  return {
    regions: {
      'cn-hangzhou': {
        images: [
          ...builds('hz', 'hz'),
          image('m-hzinuse', 'build-hz-inuse', 90, { usedByInstances: 2 }),
          image('m-hzshared', 'build-hz-shared', 90, { sharedWith: ['1111222233334444'] }),
          image('m-hzkeep', 'build-hz-keep', 90, { Tags: { 'image-gc:keep': 'true' } }),
          image('m-hzbusy', 'build-hz-busy', 90, { Status: 'Creating', Progress: '40%', busy: 'creating' }),
          image('m-hzpublic', 'build-hz-public', 90, { isPublic: true }),
          image('m-hzfailed', 'build-hz-failed', 30, { Status: 'CreateFailed' }),
          image('m-hzother', 'other-hz', 300),
        ],
      },
      'cn-shanghai': { images: builds('sh', 'sh') },
    },
  };
}

export const ECS_POLICY = `version: 1
mode: enforce
regions: [cn-hangzhou, cn-shanghai]
limits: { maxDeletionsPerRun: 100, maxDeletionPercent: 100 }
rules:
  - name: builds
    resource: ecs-image
    match: { name: "build-*" }
    keep: { newest: 2, youngerThan: 15d }
`;

/** E-HPC images in one region, joined to ECS; one that ECS does not know (unknown-age). */
export function ehpcFleet(): Fleet {
  const hpc = (i: number, days: number, extra: Partial<FleetImage> = {}) =>
    image(`m-hpc${i}`, `hpc-${i}`, days, { ImageFamily: i % 2 === 0 ? 'hpc-a' : 'hpc-b', ehpc: { osTag: 'CentOS_7.9_64', instantRegistered: i % 3 !== 0 }, ...extra });
  return {
    regions: {
      'cn-hangzhou': {
        images: [
          hpc(1, 2), hpc(2, 4), hpc(3, 30), hpc(4, 40), hpc(5, 50), hpc(6, 60), hpc(7, 70), hpc(8, 80),
          hpc(9, 90, { usedByInstances: 1 }),
          image('m-plainecs', 'plain-ecs', 100),
        ],
      },
    },
  };
}

export const EHPC_POLICY = `version: 1
mode: enforce
regions: [cn-hangzhou]
limits: { maxDeletionsPerRun: 100, maxDeletionPercent: 100 }
rules:
  - name: hpc
    resource: ehpc-image
    keep: { newest: 1, groupBy: family, youngerThan: 3d }
`;

export function wuyingFleet(): Fleet {
  const w = (id: string, days: number, extra: Partial<WuyingImage> = {}): WuyingImage => ({
    ImageId: id,
    ImageName: `desk-${id}`,
    GmtCreate: ago(days).replace('T', ' ').replace('Z', ''),
    Status: 'AVAILABLE',
    ImageType: 'User',
    ProductType: 'CloudDesktop',
    ...extra,
  });
  return {
    regions: {},
    wuying: {
      images: [w('imgc-1', 1), w('imgc-2', 20), w('imgc-3', 40), w('imgc-4', 60), w('imgc-5', 80), w('imgc-busy', 90, { Status: 'CREATING' }), w('imgc-shared', 90, { ImageType: 'Shared' })],
    },
  };
}

export const WUYING_POLICY = `version: 1
mode: enforce
regions: [cn-shanghai]
limits: { maxDeletionsPerRun: 100, maxDeletionPercent: 100 }
rules:
  - name: desktops
    resource: wuying-image
    keep: { newest: 2 }
`;

export function pipelineFleet(): Fleet {
  const p = (id: string, name: string, runs: Array<[string, number]>): FleetPipeline => ({
    ImagePipelineId: id,
    Name: name,
    CreationTime: ago(400),
    executions: runs.map(([status, days], i) => ({ ExecutionId: `exec-${id}-${i}`, Status: status as never, CreationTime: ago(days), ModifiedTime: ago(days) })),
  });
  return {
    regions: {
      'cn-hangzhou': {
        pipelines: [
          p('ip-active', 'ci-active', [['SUCCESS', 2]]),
          p('ip-idle', 'ci-idle', [['SUCCESS', 60], ['FAILED', 90]]),
          p('ip-never', 'ci-never', []),
          p('ip-running', 'ci-running', [['BUILDING', 100]]),
          p('ip-manual', 'manual', [['SUCCESS', 300]]),
        ],
      },
    },
  };
}

export const PIPELINE_POLICY = `version: 1
mode: enforce
regions: [cn-hangzhou]
limits: { maxDeletionsPerRun: 100, maxDeletionPercent: 100 }
rules:
  - name: idle
    resource: image-pipeline
    match: { name: "ci-*" }
    keep: { activeWithin: 14d }
`;

export const KIND_CASES = [
  { kind: 'ecs-image', fleet: ecsFleet, policy: ECS_POLICY },
  { kind: 'ehpc-image', fleet: ehpcFleet, policy: EHPC_POLICY },
  { kind: 'wuying-image', fleet: wuyingFleet, policy: WUYING_POLICY },
  { kind: 'image-pipeline', fleet: pipelineFleet, policy: PIPELINE_POLICY },
] as const;
