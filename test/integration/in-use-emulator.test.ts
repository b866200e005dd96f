/**
 * The emulator's in-use reference APIs through image-gc's own client: DescribeLaunchTemplates,
 * DescribeLaunchTemplateVersions, ESS DescribeScalingConfigurations and E-HPC Instant
 * ListExecutors, with their paging, filters, documented errors, and the fleet fields' validation.
 */
import { describe, expect, it } from 'vitest';
import { validateFleet, type Fleet } from '../emulator/index.js';
import { emulatorPerFile } from '../support/e2e.js';
import { R, rejectionOf, testClient } from './client-harness.js';

type Body = Record<string, unknown>;

function fleet(): Fleet {
  return {
    regions: {
      [R]: {
        images: [{ ImageId: 'm-1', CreationTime: '2026-01-01T00:00:00Z' }],
        launchTemplates: [
          ...Array.from({ length: 12 }, (_, i) => ({ LaunchTemplateId: `lt-${String(i).padStart(2, '0')}`, LaunchTemplateName: `t${i}`, CreateTime: `2026-01-${String(i + 1).padStart(2, '0')}T00:00:00Z` })),
          {
            LaunchTemplateId: 'lt-v',
            LaunchTemplateName: 'versions',
            DefaultVersionNumber: 2,
            versions: Array.from({ length: 7 }, (_, i) => ({ VersionNumber: i + 1, ImageId: `m-v${i + 1}`, DataDisks: i === 0 ? [{ SnapshotId: 's-data', Size: 100 }] : [] })),
          },
        ],
        scalingConfigurations: Array.from({ length: 23 }, (_, i) => ({
          ScalingConfigurationId: `asc-${String(i).padStart(2, '0')}`,
          ScalingGroupId: i < 20 ? 'asg-a' : 'asg-b',
          ImageId: `m-a${i}`,
          LifecycleState: i % 2 === 0 ? ('Active' as const) : ('Inactive' as const),
          CreationTime: `2026-02-${String(i + 1).padStart(2, '0')}T00:00:00Z`,
          ...(i === 22 && { ImageFamily: 'web', DataDisks: [{ SnapshotId: 's-asc' }] }),
        })),
        executors: [
          { ExecutorId: 'job-1-task0-0', Image: 'm-run', Status: 'Running' },
          { ExecutorId: 'job-1-task0-1', Image: 'm-run', Status: 'Pending' },
          { ExecutorId: 'job-2-task0-0', Image: 'm-done', Status: 'Succeeded' },
        ],
      },
      'cn-beijing': { executors: [{ ExecutorId: 'job-3-task0-0', Image: 'm-bj', Status: 'Running' }] },
    },
  };
}

const emu = emulatorPerFile(fleet);

const client = () => testClient(emu().url).client;

describe('ECS DescribeLaunchTemplates / DescribeLaunchTemplateVersions', () => {
  it('lists templates newest first in pages, with TotalCount', async () => {
    const p1 = await client().call('ecs.DescribeLaunchTemplates', R, { PageSize: 10, PageNumber: 1 });
    const p2 = await client().call('ecs.DescribeLaunchTemplates', R, { PageSize: 10, PageNumber: 2 });
    const ids = (b: Body) => (b['LaunchTemplateSets'] as { LaunchTemplateSet: Array<{ LaunchTemplateId: string }> }).LaunchTemplateSet.map((t) => t.LaunchTemplateId);
    expect(p1['TotalCount']).toBe(13);
    expect(ids(p1)).toHaveLength(10);
    expect(ids(p2)).toHaveLength(3);
    expect(ids(p1)[0]).toBe('lt-11');
    const filtered = await client().call('ecs.DescribeLaunchTemplates', R, { LaunchTemplateId: ['lt-03', 'lt-05'] });
    expect(ids(filtered).sort()).toEqual(['lt-03', 'lt-05']);
    expect((await rejectionOf(client().call('ecs.DescribeLaunchTemplates', R, { PageSize: 51 })))['code']).toBe('InvalidParameter');
  });

  it('lists every version with its data, default marked; filters; DetailFlag=false leaves the data out', async () => {
    const all = await client().call('ecs.DescribeLaunchTemplateVersions', R, { LaunchTemplateId: 'lt-v', PageSize: 5 });
    const set = (b: Body) => (b['LaunchTemplateVersionSets'] as { LaunchTemplateVersionSet: Array<Record<string, unknown>> }).LaunchTemplateVersionSet;
    expect(all['TotalCount']).toBe(7);
    expect(set(all).map((v) => v['VersionNumber'])).toEqual([7, 6, 5, 4, 3]);
    const page2 = set(await client().call('ecs.DescribeLaunchTemplateVersions', R, { LaunchTemplateId: 'lt-v', PageSize: 5, PageNumber: 2 }));
    expect(page2.map((v) => v['VersionNumber'])).toEqual([2, 1]);
    expect(page2[0]).toMatchObject({ DefaultVersion: true, LaunchTemplateData: { ImageId: 'm-v2' } });
    expect(page2[1]).toMatchObject({ DefaultVersion: false, LaunchTemplateData: { ImageId: 'm-v1', DataDisks: { DataDisk: [expect.objectContaining({ SnapshotId: 's-data', Size: 100 })] } } });
    const byName = set(await client().call('ecs.DescribeLaunchTemplateVersions', R, { LaunchTemplateName: 'versions', LaunchTemplateVersion: [3], DetailFlag: false }));
    expect(byName).toHaveLength(1);
    expect(byName[0]).not.toHaveProperty('LaunchTemplateData');
    const onlyDefault = set(await client().call('ecs.DescribeLaunchTemplateVersions', R, { LaunchTemplateId: 'lt-v', DefaultVersion: true }));
    expect(onlyDefault.map((v) => v['VersionNumber'])).toEqual([2]);
  });

  it('answers the documented errors', async () => {
    expect(await rejectionOf(client().call('ecs.DescribeLaunchTemplateVersions', R, {}))).toMatchObject({ code: 'MissingParameter', httpStatus: 400 });
    expect(await rejectionOf(client().call('ecs.DescribeLaunchTemplateVersions', R, { LaunchTemplateId: 'lt-nope' }))).toMatchObject({ code: 'InvalidLaunchTemplate.NotFound', httpStatus: 404 });
  });
});

describe('ESS DescribeScalingConfigurations', () => {
  it('pages (max 50), lists active and inactive, filters by group, ID and (active) name', async () => {
    const page = await client().call('ess.DescribeScalingConfigurations', R, { PageSize: 10, PageNumber: 3 });
    const list = (b: Body) => (b['ScalingConfigurations'] as { ScalingConfiguration: Array<Record<string, unknown>> }).ScalingConfiguration;
    expect(page['TotalCount']).toBe(23);
    expect(list(page)).toHaveLength(3);
    const newest = list(await client().call('ess.DescribeScalingConfigurations', R, { PageSize: 1 }))[0]!;
    expect(newest).toMatchObject({ ScalingConfigurationId: 'asc-22', ImageFamily: 'web', LifecycleState: 'Active', CreationTime: '2026-02-23T00:00Z', DataDisks: { DataDisk: [expect.objectContaining({ SnapshotId: 's-asc' })] } });
    expect(list(await client().call('ess.DescribeScalingConfigurations', R, { ScalingGroupId: 'asg-b', PageSize: 50 }))).toHaveLength(3);
    expect(list(await client().call('ess.DescribeScalingConfigurations', R, { ScalingConfigurationId: ['asc-01', 'asc-nope'] })).map((c) => c['LifecycleState'])).toEqual(['Inactive']);
    expect(list(await client().call('ess.DescribeScalingConfigurations', R, { ScalingConfigurationName: ['asc-01', 'asc-02'] })).map((c) => c['ScalingConfigurationId'])).toEqual(['asc-02']);
    expect(await rejectionOf(client().call('ess.DescribeScalingConfigurations', R, { PageSize: 51 }))).toMatchObject({ code: 'InvalidParameter', httpStatus: 400 });
    expect(emu().calls()[0]).toMatchObject({ product: 'ess', version: '2014-08-28', region: R });
  });
});

describe('E-HPC Instant ListExecutors', () => {
  it('filters by status (Filter is one JSON string), pages with a string TotalCount, per region', async () => {
    const body = await client().call('ehpcinstant.ListExecutors', R, { Filter: JSON.stringify({ Status: ['Running', 'Pending'] }), PageSize: 1 });
    expect(body['TotalCount']).toBe('2');
    expect(body['Executors']).toEqual([expect.objectContaining({ ExecutorId: 'job-1-task0-0', JobId: 'job-1', Image: 'm-run', Status: 'Running', TaskName: 'task0', ArrayIndex: 0 })]);
    const all = await client().call('ehpcinstant.ListExecutors', R, {});
    expect(all['TotalCount']).toBe('3');
    const bj = await client().call('ehpcinstant.ListExecutors', 'cn-beijing', { Filter: JSON.stringify({ Image: 'm-bj' }) });
    expect((bj['Executors'] as unknown[]).length).toBe(1);
    expect(await rejectionOf(client().call('ehpcinstant.ListExecutors', R, { Filter: '{not json' }))).toMatchObject({ code: 'InvalidParams', httpStatus: 400 });
    expect(await rejectionOf(client().call('ehpcinstant.ListExecutors', R, { PageSize: 101 }))).toMatchObject({ code: 'InvalidParams' });
  });

  it('RemoveImage answers ImageInUse while an unfinished executor runs the image', async () => {
    const f = fleet();
    f.regions[R]!.images = [
      { ImageId: 'm-run', CreationTime: '2026-01-01T00:00:00Z', ehpc: { instantRegistered: true } },
      { ImageId: 'm-done', CreationTime: '2026-01-01T00:00:00Z', ehpc: { instantRegistered: true } },
    ];
    emu().loadFleet(f);
    expect(await rejectionOf(client().call('ehpcinstant.RemoveImage', R, { ImageId: 'm-run', ImageType: 'VM' }))).toMatchObject({ code: 'ImageInUse', httpStatus: 403 });
    expect(await client().call('ehpcinstant.RemoveImage', R, { ImageId: 'm-done', ImageType: 'VM' })).toMatchObject({ Success: true });
  });
});

describe('fleet file: the reference fields are validated like the others', () => {
  const base = (region: Record<string, unknown>) => ({ regions: { r: region } });
  it.each([
    [{ launchTemplates: [{ LaunchTemplateName: 'x' }] }, 'regions.r.launchTemplates[0].LaunchTemplateId: required'],
    [{ launchTemplates: [{ LaunchTemplateId: 'lt-1', versions: [{ VersionNumber: 0 }] }] }, 'regions.r.launchTemplates[0].versions[0].VersionNumber: required, expected an integer ≥ 1'],
    [{ launchTemplates: [{ LaunchTemplateId: 'lt-1', versions: [{ VersionNumber: 1 }, { VersionNumber: 1 }] }] }, 'versions[1].VersionNumber: duplicate version 1'],
    [{ launchTemplates: [{ LaunchTemplateId: 'lt-1', DefaultVersionNumber: 2, versions: [{ VersionNumber: 1 }] }] }, 'DefaultVersionNumber: expected the VersionNumber of one of its versions'],
    [{ launchTemplates: [{ LaunchTemplateId: 'lt-1', versions: [{ VersionNumber: 1, ImageID: 'm-1' }] }] }, 'versions[0].ImageID: unknown field'],
    [{ scalingConfigurations: [{ ScalingConfigurationId: 'asc-1' }] }, 'scalingConfigurations[0].ScalingGroupId: required'],
    [{ scalingConfigurations: [{ ScalingConfigurationId: 'asc-1', ScalingGroupId: 'g', LifecycleState: 'On' }] }, 'LifecycleState: expected one of Active, Inactive'],
    [{ executors: [{ ExecutorId: 'e-1', Image: 'm-1', Status: 'Done' }] }, 'executors[0].Status: required, expected one of Pending'],
    [{ executors: [{ ExecutorId: 'e-1', Status: 'Running' }] }, 'executors[0].Image: required'],
    [{ launchTemplate: [] }, 'regions.r.launchTemplate: unknown region field'],
  ])('%j', (region, message) => {
    expect(() => validateFleet(base(region))).toThrow(message);
  });

  it('IDs are unique across regions', () => {
    expect(() =>
      validateFleet({ regions: { a: { scalingConfigurations: [{ ScalingConfigurationId: 'asc-1', ScalingGroupId: 'g' }] }, b: { scalingConfigurations: [{ ScalingConfigurationId: 'asc-1', ScalingGroupId: 'g' }] } } }),
    ).toThrow('regions.b.scalingConfigurations[0].ScalingConfigurationId: duplicate ID asc-1 (first at regions.a.scalingConfigurations[0].ScalingConfigurationId)');
  });

  it('state() gives the new fields back only where a region has them', () => {
    const state = emu().state();
    expect(Object.keys(state.regions[R]!).sort()).toEqual(['executors', 'images', 'launchTemplates', 'pipelines', 'scalingConfigurations']);
    expect(state.regions['cn-beijing']).not.toHaveProperty('snapshots');
  });
});
