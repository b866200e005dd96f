/**
 * The demo's fleet: what an account that bakes images for a while looks like. Three regions;
 * E-HPC images in three families built every few days; ECS application images in two streams
 * and some failed builds; base images under a grace period; a region of legacy images that a
 * careless rule would wipe out; WUYING desktops; image pipelines idle and busy. Among them the
 * ones that must survive: in use by instances, named by an old launch template version, scaled out
 * from by Auto Scaling, the base of a pipeline, shared, tagged keep, still being created, used by
 * E-HPC jobs, published, and not ours.
 *
 * Ages are relative to `now`, so the demo tells the same story whenever it runs.
 */
import type { Fleet, FleetImage, FleetPipeline, WuyingImage } from '../emulator/index.js';

const DAY = 86_400_000;

function at(now: Date, daysAgo: number, hour = 3): string {
  const t = new Date(now.getTime() - daysAgo * DAY);
  t.setUTCHours(hour, 0, 0, 0);
  return t.toISOString().replace('.000Z', 'Z');
}

function wuyingAt(now: Date, daysAgo: number): string {
  return at(now, daysAgo, 7).replace('T', ' ').replace('Z', '');
}

let serial = 0;
function imageId(region: string): string {
  serial++;
  const prefix = region === 'cn-hangzhou' ? 'bp' : region === 'cn-shanghai' ? 'uf' : '2z';
  return `m-${prefix}${serial.toString(36).padStart(6, '0')}demo${(serial * 7919).toString(36).slice(-4)}`;
}

function build(region: string, name: string, daysAgo: number, now: Date, extra: Partial<FleetImage> = {}): FleetImage {
  return {
    ImageId: imageId(region),
    ImageName: name,
    CreationTime: at(now, daysAgo),
    Status: 'Available',
    Size: 40,
    ImageOwnerAlias: 'self',
    OSType: 'linux',
    ...extra,
  };
}

function ehpcFamily(now: Date, family: string, osTag: string, ages: number[]): FleetImage[] {
  return ages.map((age, i) =>
    build('cn-hangzhou', `${family}-build-${String(ages.length - i).padStart(3, '0')}`, age, now, {
      ImageFamily: family,
      Size: 60,
      Tags: { team: 'hpc' },
      ehpc: { osTag, instantRegistered: true },
    }),
  );
}

function hangzhouImages(now: Date): FleetImage[] {
  const gromacs = ehpcFamily(now, 'hpc-gromacs', 'CentOS_7.9_64', [2, 9, 16, 23, 37, 51, 65, 93]);
  const wrf = ehpcFamily(now, 'hpc-wrf', 'CentOS_7.9_64', [5, 19, 33, 47, 61, 75, 120]);
  const openfoam = ehpcFamily(now, 'hpc-openfoam', 'AliyunLinux_3_64', [12, 40, 68, 96, 124]);
  // The ones that must survive whatever the rules say.
  Object.assign(gromacs[6] as FleetImage, { usedByInstances: 4 }); // clusters still boot from it
  Object.assign(wrf[5] as FleetImage, { sharedWith: ['1498765432109876'] }); // a partner account uses it
  Object.assign(wrf[6] as FleetImage, { Tags: { team: 'hpc', 'image-gc:keep': 'true' } }); // the paper's reference build
  Object.assign(gromacs[7] as FleetImage, { ImageId: 'm-bp1pinnedbyhand01' }); // pinned in the policy's protect.ids
  Object.assign(openfoam[4] as FleetImage, { ehpc: { osTag: 'AliyunLinux_3_64', instantRegistered: true, usedByJobs: true } });
  const building = build('cn-hangzhou', 'hpc-gromacs-build-009', 0.1, now, { ImageFamily: 'hpc-gromacs', Status: 'Creating', Progress: '57%', busy: 'creating', ehpc: { osTag: 'CentOS_7.9_64' } });
  const web = [1, 4, 8, 15, 22, 29, 43, 57].map((age, i) => build('cn-hangzhou', `app-web-2026.${String(60 - i).padStart(3, '0')}`, age, now, { ImageFamily: 'app-web' }));
  const api = [3, 10, 24, 38, 52, 80].map((age, i) => build('cn-hangzhou', `app-api-2026.${String(40 - i).padStart(3, '0')}`, age, now, { ImageFamily: 'app-api' }));
  Object.assign(api[4] as FleetImage, { usedByInstances: 12 }); // production still runs it
  Object.assign(web[6] as FleetImage, { ImageId: 'm-bp1inlaunchtpl01' }); // named by an old launch template version
  Object.assign(wrf[3] as FleetImage, { ImageId: 'm-bp1inscaling001' }); // an Auto Scaling group scales out from it
  const failed = [6, 13, 44].map((age, i) => build('cn-hangzhou', `app-web-broken-${i + 1}`, age, now, { Status: 'CreateFailed', ImageFamily: 'app-web' }));
  const community = build('cn-hangzhou', 'app-web-community-edition', 200, now, { ImageFamily: 'app-web', isPublic: true });
  return [...gromacs, ...wrf, ...openfoam, building, ...web, ...api, ...failed, community];
}

function shanghaiImages(now: Date): FleetImage[] {
  const centos = [7, 30, 60, 90, 120, 150].map((age, i) => build('cn-shanghai', `base-centos-v${12 - i}`, age, now, { ImageFamily: 'base-centos', Size: 20 }));
  Object.assign(centos[3] as FleetImage, { ImageId: 'm-uf6pipelinebase1' }); // the base image of pipeline ci-base
  const ubuntu = [14, 45, 75, 105, 135].map((age, i) => build('cn-shanghai', `base-ubuntu-v${9 - i}`, age, now, { ImageFamily: 'base-ubuntu', Size: 20 }));
  // Marked by an earlier run 10 days ago: its grace period is over.
  Object.assign(centos[5] as FleetImage, { Tags: { 'image-gc:marked-at': at(now, 10) } });
  // Marked 2 days ago: still waiting.
  Object.assign(ubuntu[4] as FleetImage, { Tags: { 'image-gc:marked-at': at(now, 2) } });
  // Marked earlier, then someone tagged it keep: the mark comes off.
  Object.assign(ubuntu[3] as FleetImage, { Tags: { 'image-gc:marked-at': at(now, 20), 'image-gc:keep': 'true' } });
  return [...centos, ...ubuntu];
}

function beijingImages(now: Date): FleetImage[] {
  // A region where every image is old: the legacy rule would delete all of it, and the
  // maxDeletionPercent belt stops that whole group instead.
  return [200, 230, 260, 290, 320, 350].map((age, i) => build('cn-beijing', `legacy-app-${i + 1}`, age, now, { ImageFamily: 'legacy' }));
}

function pipeline(id: string, name: string, createdDaysAgo: number, now: Date, runs: Array<[string, number]>): FleetPipeline {
  return {
    ImagePipelineId: id,
    Name: name,
    CreationTime: at(now, createdDaysAgo),
    BaseImageType: 'IMAGE',
    BaseImage: 'aliyun_3_x64_20G_alibase_20260101.vhd',
    executions: runs.map(([status, daysAgo], i) => ({
      ExecutionId: `exec-${id.slice(3)}${i}`,
      Status: status as never,
      CreationTime: at(now, daysAgo),
      ModifiedTime: at(now, daysAgo, 4),
    })),
  };
}

function wuying(now: Date): WuyingImage[] {
  const img = (id: string, name: string, daysAgo: number, extra: Partial<WuyingImage> = {}): WuyingImage => ({
    ImageId: id,
    ImageName: name,
    GmtCreate: wuyingAt(now, daysAgo),
    Status: 'AVAILABLE',
    ImageType: 'User',
    ProductType: 'CloudDesktop',
    ...extra,
  });
  return [
    img('imgc-desk0001', 'desk-designers-2026-11', 3),
    img('imgc-desk0002', 'desk-designers-2026-10', 34),
    img('imgc-desk0003', 'desk-designers-2026-09', 64, { inUse: true }),
    img('imgc-desk0004', 'desk-designers-2026-08', 95),
    img('imgc-desk0005', 'desk-designers-2026-07', 126),
    img('imgc-app00001', 'app-cad-viewer-v3', 20, { ProductType: 'CloudApp' }),
    img('imgc-app00002', 'app-cad-viewer-v2', 80, { ProductType: 'CloudApp' }),
    img('imgc-desk0006', 'desk-designers-2026-12', 0, { Status: 'CREATING' }),
    img('imgc-shared001', 'partner-desktop', 300, { ImageType: 'Shared' }),
  ];
}

export function demoFleet(now: Date): Fleet {
  serial = 0;
  return {
    accountId: '1234567890123456',
    credentials: [{ accessKeyId: 'demo-access-key-id', accessKeySecret: 'demo-access-key-secret-not-real' }],
    regions: {
      'cn-hangzhou': {
        images: hangzhouImages(now),
        launchTemplates: [
          {
            LaunchTemplateId: 'lt-bp1webfleet0001',
            LaunchTemplateName: 'web-fleet',
            DefaultVersionNumber: 3,
            versions: [
              { VersionNumber: 1, ImageId: 'm-bp1inlaunchtpl01', VersionDescription: 'rollback target' },
              { VersionNumber: 3, VersionDescription: 'current' },
            ],
          },
        ],
        scalingConfigurations: [{ ScalingConfigurationId: 'asc-bp1wrfburst001', ScalingGroupId: 'asg-bp1wrf0001', ImageId: 'm-bp1inscaling001' }],
        pipelines: [
          pipeline('ip-bp1ciweb00001', 'ci-web', 300, now, [['SUCCESS', 1], ['FAILED', 2], ['SUCCESS', 40]]),
          pipeline('ip-bp1ciapi00002', 'ci-api', 400, now, [['SUCCESS', 95], ['TEST_FAILED', 120]]),
          pipeline('ip-bp1cihpc00003', 'ci-hpc-nightly', 200, now, [['BUILDING', 0], ['SUCCESS', 70]]),
          pipeline('ip-bp1cilgcy0004', 'ci-legacy', 500, now, [['CANCELLED', 180]]),
        ],
      },
      'cn-shanghai': {
        images: shanghaiImages(now),
        pipelines: [
          { ...pipeline('ip-uf6cibase0001', 'ci-base', 365, now, [['SUCCESS', 61]]), BaseImage: 'm-uf6pipelinebase1' },
          pipeline('ip-uf6manual0002', 'manual-golden', 365, now, []),
        ],
      },
      'cn-beijing': { images: beijingImages(now) },
    },
    wuying: { images: wuying(now) },
    behaviour: {
      qps: { default: 50, DeleteImage: 10, RemoveImage: 10 },
      latencyMs: 15,
    },
  };
}
