/**
 * What each emulated API answers, through the real @alicloud/openapi-client: every refusal in the
 * fleet spec with its documented code and HTTP status, list defaults, paging to the end, paging
 * anomalies, answer overrides, scripted errors, and DescribeImages over a 100,000-image region.
 */
import OpenApiMod, * as $OpenApi from '@alicloud/openapi-client';
import OpenApiUtilMod from '@alicloud/openapi-util';
import * as $Util from '@alicloud/tea-util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ACTIONS, type ActionName } from '../../functions/cloud/actions.js';
import { startEmulator, type Emulator, type Fleet, type FleetImage } from '../emulator/index.js';

const OpenApi: typeof OpenApiMod.default = (OpenApiMod as unknown as { default?: typeof OpenApiMod.default }).default ?? (OpenApiMod as unknown as typeof OpenApiMod.default);
const OpenApiUtil: typeof OpenApiUtilMod.default = (OpenApiUtilMod as unknown as { default?: typeof OpenApiUtilMod.default }).default ?? (OpenApiUtilMod as unknown as typeof OpenApiUtilMod.default);

const R = 'cn-hangzhou';
const T = '2026-01-01T00:00:00Z';

const img = (ImageId: string, extra: Partial<FleetImage> = {}): FleetImage => ({ ImageId, CreationTime: T, ...extra });

const fleet = (): Fleet => ({
  regions: {
    [R]: {
      images: [
        img('m-ok', { CreationTime: '2026-02-01T00:00:00Z' }),
        img('m-inuse', { usedByInstances: 3 }),
        img('m-shared', { sharedWith: ['1111222233334444', { AliyunId: '5555666677778888', SharedTime: '2026-01-05T00:00:00Z' }] }),
        img('m-copying', { busy: 'copying' }),
        img('m-importing', { busy: 'importing' }),
        img('m-exporting', { busy: 'exporting' }),
        img('m-creating', { busy: 'creating', Status: 'Creating' }),
        img('m-public', { isPublic: true }),
        img('m-others', { ImageOwnerAlias: 'others' }),
        img('m-market', { ImageOwnerAlias: 'marketplace' }),
        img('m-failed', { Status: 'CreateFailed' }),
        img('m-unavail', { Status: 'UnAvailable' }),
        img('m-e-reg', { ehpc: { osTag: 'CentOS_7.2_64', instantRegistered: true } }),
        img('m-e-unreg', { ehpc: { osTag: 'CentOS_7.2_64', instantRegistered: false } }),
        img('m-e-jobs', { ehpc: { instantRegistered: true, usedByJobs: true } }),
        img('m-e-ctr', { ehpc: { instantRegistered: true, imageType: 'Container' } }),
        img('m-odd', { answer: { ImageName: null, Size: '40', CreationTime: 'yesterday' } }),
      ],
      pipelines: [
        { ImagePipelineId: 'ip-running', CreationTime: T, executions: [
          { ExecutionId: 'exec-r1', Status: 'SUCCESS', CreationTime: T },
          { ExecutionId: 'exec-r2', Status: 'BUILDING', CreationTime: '2026-01-02T00:00:00Z' },
        ] },
        { ImagePipelineId: 'ip-done', CreationTime: T, executions: [{ ExecutionId: 'exec-d1', Status: 'TEST_FAILED', CreationTime: T }] },
        ...Array.from({ length: 7 }, (_, i) => ({ ImagePipelineId: `ip-${i}`, CreationTime: `2025-0${i + 1}-01T00:00:00Z` })),
      ],
    },
    'cn-beijing': { images: [img('m-bj-reg', { ehpc: { instantRegistered: true } })] },
  },
  wuying: {
    images: [
      { ImageId: 'imgc-ok', GmtCreate: '2025-04-25 15:13:57' },
      { ImageId: 'imgc-system', GmtCreate: '2025-04-24 15:13:57', ImageType: 'System' },
      { ImageId: 'imgc-shared', GmtCreate: '2025-04-23 15:13:57', shared: true },
      { ImageId: 'imgc-inuse', GmtCreate: '2025-04-22 15:13:57', inUse: true },
      { ImageId: 'imgc-creating', GmtCreate: '2025-04-21 15:13:57', Status: 'CREATING' },
      ...Array.from({ length: 20 }, (_, i) => ({ ImageId: `imgc-n${String(i).padStart(2, '0')}`, GmtCreate: `2024-01-${String(i + 1).padStart(2, '0')} 00:00:00`, ProductType: 'CloudDesktop' })),
    ],
  },
});

let emu: Emulator;
let client: InstanceType<typeof OpenApi>;

beforeAll(async () => {
  emu = await startEmulator({ fleet: fleet() });
  client = new OpenApi(new $OpenApi.Config({ accessKeyId: 'testid', accessKeySecret: 'testsecret', endpoint: emu.endpoint, protocol: 'http' }));
});

beforeEach(() => emu.loadFleet(fleet()));

afterAll(async () => {
  await emu.close();
});

type Body = Record<string, unknown>;
const runtime = new $Util.RuntimeOptions({ readTimeout: 10_000, connectTimeout: 10_000 });

/** As image-gc's client sends it: method and parameter placement from its action table. */
async function api(name: ActionName | { action: string; version: string }, params: Record<string, unknown>): Promise<Body> {
  const spec = typeof name === 'string' ? ACTIONS[name] : { ...name, method: 'POST' as const, placement: 'query' as const };
  const flat = OpenApiUtil.query(params) as Record<string, string>;
  const queryParams = ('queryParams' in spec ? spec.queryParams : []) as readonly string[];
  const inQuery = (k: string): boolean => spec.placement === 'query' || queryParams.some((q) => k === q || k.startsWith(`${q}.`));
  const query = Object.fromEntries(Object.entries(flat).filter(([k]) => inQuery(k)));
  const body = spec.placement === 'form' ? Object.fromEntries(Object.entries(flat).filter(([k]) => !inQuery(k))) : undefined;
  const p = new $OpenApi.Params({ action: spec.action, version: spec.version, protocol: 'HTTP', pathname: '/', method: spec.method, authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json' });
  const resp = (await client.callApi(p, new $OpenApi.OpenApiRequest({ query, body }), runtime)) as { body: Body };
  return resp.body;
}

async function refusal(name: ActionName | { action: string; version: string }, params: Record<string, unknown>): Promise<[string | undefined, number | undefined]> {
  try {
    await api(name, params);
  } catch (e) {
    const err = e as { code?: string; statusCode?: number };
    return [err.code, err.statusCode];
  }
  throw new Error('expected a refusal');
}

const images = (b: Body): Array<Record<string, unknown>> => (b.Images as { Image: Array<Record<string, unknown>> }).Image;
const ids = (b: Body): unknown[] => images(b).map((i) => i.ImageId);
const stateImageIds = (region = R): string[] => emu.state().regions[region]!.images!.map((i) => i.ImageId);

describe('ECS DeleteImage', () => {
  it.each([
    ['m-inuse', false, 'ImageUsingByInstance', 403],
    ['m-shared', false, 'ImageUseShared', 403],
    ['m-shared', true, 'ImageUseShared', 403],
    ['m-copying', false, 'OperationDenied.ImageCopying', 403],
    ['m-importing', false, 'ImageIsImporting', 403],
    ['m-exporting', false, 'ImageIsExporting', 403],
    ['m-creating', false, 'ImageIsCreating', 403],
    ['m-public', true, 'ImageIsPublic', 403],
    ['m-gone', false, 'InvalidImageId.NotFound', 404],
    ['m-others', false, 'InvalidImageId.NotFound', 404],
  ] as const)('%s (Force=%s) → %s %i, nothing deleted', async (id, force, code, status) => {
    expect(await refusal('ecs.DeleteImage', { RegionId: R, ImageId: id, Force: force })).toEqual([code, status]);
    if (id !== 'm-gone') expect(stateImageIds()).toContain(id);
  });

  it('deletes; Force deletes an image in use; the image disappears from E-HPC too', async () => {
    expect(await api('ecs.DeleteImage', { RegionId: R, ImageId: 'm-ok' })).toEqual({ RequestId: expect.any(String) });
    expect(await api('ecs.DeleteImage', { RegionId: R, ImageId: 'm-inuse', Force: true })).toHaveProperty('RequestId');
    await api('ecs.DeleteImage', { RegionId: R, ImageId: 'm-e-unreg' });
    expect(stateImageIds()).not.toEqual(expect.arrayContaining(['m-ok']));
    expect(stateImageIds()).not.toContain('m-inuse');
    const ehpc = await api('ehpc.ListCustomImages', { RegionId: R });
    expect((ehpc.Images as { ImageInfo: Array<{ ImageId: string }> }).ImageInfo.map((i) => i.ImageId)).not.toContain('m-e-unreg');
  });

  it('deleteMissingImage: ignore → 200; forceDeletesSharedImage lets Force through; DryRun changes nothing', async () => {
    emu.setBehaviour({ deleteMissingImage: 'ignore', forceDeletesSharedImage: true });
    expect(await api('ecs.DeleteImage', { RegionId: R, ImageId: 'm-gone' })).toHaveProperty('RequestId');
    expect(await api('ecs.DeleteImage', { RegionId: R, ImageId: 'm-shared', Force: true })).toHaveProperty('RequestId');
    expect(await refusal('ecs.DeleteImage', { RegionId: R, ImageId: 'm-ok', DryRun: true })).toEqual(['DryRunOperation', 400]);
    expect(stateImageIds()).toContain('m-ok');
  });

  it('unknownRegion: error → 404 InvalidRegionId.NotFound (default: an empty region)', async () => {
    expect(await api('ecs.DescribeImages', { RegionId: 'eu-central-1' })).toMatchObject({ TotalCount: 0 });
    emu.setBehaviour({ unknownRegion: 'error' });
    expect(await refusal('ecs.DescribeImages', { RegionId: 'eu-central-1' })).toEqual(['InvalidRegionId.NotFound', 404]);
  });
});

describe('ECS DescribeImages', () => {
  it('lists Available only by default; Status=ALL and comma lists widen it', async () => {
    const def = await api('ecs.DescribeImages', { RegionId: R, ImageOwnerAlias: 'self', PageSize: 100 });
    expect(ids(def)).not.toContain('m-failed');
    expect(ids(def)).not.toContain('m-creating');
    expect(ids(def)).toContain('m-ok');
    const failed = await api('ecs.DescribeImages', { RegionId: R, Status: 'CreateFailed,UnAvailable' });
    expect(ids(failed).sort()).toEqual(['m-failed', 'm-unavail']);
    const all = await api('ecs.DescribeImages', { RegionId: R, Status: 'ALL', ImageOwnerAlias: 'self', PageSize: 100 });
    expect(all.TotalCount).toBe(15);
  });

  it('ImageId list, default owners (system+self+others, not marketplace), Usage filter', async () => {
    const some = await api('ecs.DescribeImages', { RegionId: R, ImageId: 'm-ok,m-inuse,m-failed,m-nope' });
    expect(ids(some)).toEqual(['m-ok', 'm-inuse']); // Available only, newest first
    emu.setBehaviour({ imageIdListsAllStatuses: true });
    expect(ids(await api('ecs.DescribeImages', { RegionId: R, ImageId: 'm-failed' }))).toEqual(['m-failed']);
    const owners = ids(await api('ecs.DescribeImages', { RegionId: R, PageSize: 100 }));
    expect(owners).toContain('m-others');
    expect(owners).not.toContain('m-market');
    expect(ids(await api('ecs.DescribeImages', { RegionId: R, ImageOwnerAlias: 'marketplace' }))).toEqual(['m-market']);
    expect(ids(await api('ecs.DescribeImages', { RegionId: R, Usage: 'instance' }))).toEqual(['m-inuse']);
    const inUse = images(await api('ecs.DescribeImages', { RegionId: R, ImageId: 'm-inuse' }))[0]!;
    expect(inUse).toMatchObject({ Usage: 'instance', IsSelfShared: 'false' });
    const shared = images(await api('ecs.DescribeImages', { RegionId: R, ImageId: 'm-shared' }))[0]!;
    expect(shared.IsSelfShared).toBe('true');
    const building = images(await api('ecs.DescribeImages', { RegionId: R, ImageId: 'm-creating', Status: 'Creating' }))[0]!;
    expect(building.Progress).toBe('42%');
  });

  it.each([
    [{ ImageId: Array.from({ length: 101 }, (_, i) => `m-${i}`).join(',') }, 'ImageId'],
    [{ PageSize: 101 }, 'PageSize'],
    [{ PageSize: 0 }, 'PageSize'],
    [{ PageNumber: 0 }, 'PageNumber'],
    [{ Status: 'ALL,Available' }, 'Status'],
    [{ Usage: 'sometimes' }, 'Usage'],
  ])('%j → 400 InvalidParameter', async (params, name) => {
    try {
      await api('ecs.DescribeImages', { RegionId: R, ...params });
      throw new Error('expected a refusal');
    } catch (e) {
      const err = e as { code: string; statusCode: number; message: string };
      expect([err.code, err.statusCode]).toEqual(['InvalidParameter', 400]);
      expect(err.message).toContain(name);
    }
  });

  it('answer overrides: null removes a field, anything else replaces it (hostile answers)', async () => {
    const odd = images(await api('ecs.DescribeImages', { RegionId: R, ImageId: 'm-odd' }))[0]!;
    expect(odd).not.toHaveProperty('ImageName');
    expect(odd.Size).toBe('40');
    expect(odd.CreationTime).toBe('yesterday');
  });
});

describe('paging to the end', () => {
  it('DescribeImagePipelines (NextToken) and ListImage (PageNumber)', async () => {
    const pipelines: string[] = [];
    let token: string | undefined;
    do {
      const b = await api('ecs.DescribeImagePipelines', { RegionId: R, MaxResults: 4, NextToken: token });
      pipelines.push(...(b.ImagePipeline as { ImagePipelineSet: Array<{ ImagePipelineId: string }> }).ImagePipelineSet.map((p) => p.ImagePipelineId));
      token = (b.NextToken as string) || undefined;
    } while (token);
    expect(pipelines).toHaveLength(9);
    expect(new Set(pipelines).size).toBe(9);

    const wuying: string[] = [];
    for (let page = 1; ; page++) {
      const b = await api('appstream.ListImage', { PageNumber: page, PageSize: 10 });
      expect(b).toMatchObject({ Code: '200', Success: true, Count: 25, PageNumber: page, PageSize: 10 });
      const data = b.Data as Array<{ ImageId: string; GmtCreate: string }>;
      wuying.push(...data.map((d) => d.ImageId));
      if (data.length < 10) break;
    }
    expect(wuying).toHaveLength(25);
    expect(wuying[0]).toBe('imgc-ok');
    const desktops = await api('appstream.ListImage', { ProductType: 'CloudDesktop', PageSize: 100 });
    expect(desktops.Count).toBe(20);
  });

  it('paging anomalies change the answers as documented', async () => {
    emu.setBehaviour({ paging: { lyingTotalCount: true, duplicateAcrossPages: true } });
    const p1 = await api('ecs.DescribeImages', { RegionId: R, Status: 'ALL', PageSize: 5 });
    const p2 = await api('ecs.DescribeImages', { RegionId: R, Status: 'ALL', PageSize: 5, PageNumber: 2 });
    expect(p1.TotalCount).toBe(images(await api('ecs.DescribeImages', { RegionId: R, Status: 'ALL', PageSize: 100 })).length + 7);
    expect(ids(p2)[0]).toBe(ids(p1)[4]);
    expect(ids(p2)).toHaveLength(6);
    emu.setBehaviour({ paging: { emptyPageBeforeEnd: true } });
    expect(ids(await api('ecs.DescribeImages', { RegionId: R, Status: 'ALL', PageSize: 5, PageNumber: 2 }))).toEqual([]);
    expect(ids(await api('ecs.DescribeImages', { RegionId: R, Status: 'ALL', PageSize: 5, PageNumber: 3 }))).toHaveLength(5);
    emu.setBehaviour({ paging: { hugePage: true } });
    const huge = await api('ecs.DescribeImagePipelines', { RegionId: R, MaxResults: 2 });
    expect((huge.ImagePipeline as { ImagePipelineSet: unknown[] }).ImagePipelineSet).toHaveLength(9);
    expect(huge.NextToken).toBe('');
  });
});

describe('ECS pipelines', () => {
  it('DeleteImagePipeline: running execution → 403; missing → 404; terminal → deleted with its executions', async () => {
    expect(await refusal('ecs.DeleteImagePipeline', { RegionId: R, ImagePipelineId: 'ip-running' })).toEqual(['InvalidImagePipeline.HasRunningExecution', 403]);
    expect(await refusal('ecs.DeleteImagePipeline', { RegionId: R, ImagePipelineId: 'ip-nope' })).toEqual(['InvalidImagePipeline.NotFound', 404]);
    await api('ecs.DeleteImagePipeline', { RegionId: R, ImagePipelineId: 'ip-done' });
    const left = await api('ecs.DescribeImagePipelineExecutions', { RegionId: R });
    expect((left.ImagePipelineExecution as { ImagePipelineExecutionSet: Array<{ ExecutionId: string }> }).ImagePipelineExecutionSet.map((e) => e.ExecutionId)).toEqual(['exec-r2', 'exec-r1']);
    const building = await api('ecs.DescribeImagePipelineExecutions', { RegionId: R, ImagePipelineId: 'ip-running', Status: 'BUILDING,DISTRIBUTING' });
    expect(building.TotalCount).toBe(1);
    expect(await refusal('ecs.DescribeImagePipelines', { RegionId: R, MaxResults: 501 })).toEqual(['InvalidParameter', 400]);
  });
});

describe('ECS tags and share permissions', () => {
  it('TagResources is all-or-nothing: an unknown image → 404 InvalidResourceId.NotFound, no tag changed', async () => {
    expect(await refusal('ecs.TagResources', { RegionId: R, ResourceType: 'image', ResourceId: ['m-ok', 'm-nope'], Tag: [{ Key: 'k', Value: 'v' }] })).toEqual(['InvalidResourceId.NotFound', 404]);
    expect(emu.state().regions[R]!.images!.find((i) => i.ImageId === 'm-ok')!.Tags).toBeUndefined();
    const many = Array.from({ length: 51 }, (_, i) => `m-${i}`);
    expect(await refusal('ecs.TagResources', { RegionId: R, ResourceType: 'image', ResourceId: many, Tag: [{ Key: 'k', Value: 'v' }] })).toEqual(['InvalidParameter', 400]);
    expect(await refusal('ecs.TagResources', { RegionId: R, ResourceType: 'image', ResourceId: ['m-ok'], Tag: [{ Key: 'aliyun:x', Value: 'v' }] })).toEqual(['InvalidTagKey.Malformed', 400]);
    await api('ecs.TagResources', { RegionId: R, ResourceType: 'image', ResourceId: ['m-ok'], Tag: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '' }] });
    expect(ids(await api('ecs.DescribeImages', { RegionId: R, Tag: [{ Key: 'b' }] }))).toEqual(['m-ok']);
    await api('ecs.UntagResources', { RegionId: R, ResourceType: 'image', ResourceId: ['m-ok'], All: true });
    expect(emu.state().regions[R]!.images!.find((i) => i.ImageId === 'm-ok')!.Tags).toEqual({});
  });

  it('DescribeImageSharePermission lists accounts and the public group', async () => {
    const shared = await api('ecs.DescribeImageSharePermission', { RegionId: R, ImageId: 'm-shared' });
    expect(shared).toMatchObject({
      ImageId: 'm-shared', TotalCount: 2, PageNumber: 1, PageSize: 10,
      Accounts: { Account: [{ AliyunId: '1111222233334444', SharedTime: T }, { AliyunId: '5555666677778888', SharedTime: '2026-01-05T00:00:00Z' }] },
      ShareGroups: { ShareGroup: [] },
    });
    const pub = await api('ecs.DescribeImageSharePermission', { RegionId: R, ImageId: 'm-public' });
    expect(pub.ShareGroups).toEqual({ ShareGroup: [{ Group: 'all' }] });
    expect(await refusal('ecs.DescribeImageSharePermission', { RegionId: R, ImageId: 'm-nope' })).toEqual(['InvalidImageId.NotFound', 404]);
  });
});

describe('E-HPC and E-HPC Instant', () => {
  it('RemoveImage deregisters only (the ECS image stays); refusals', async () => {
    expect(await api('ehpcinstant.RemoveImage', { RegionId: R, ImageId: 'm-e-reg', ImageType: 'VM' })).toEqual({ RequestId: expect.any(String), Success: true });
    const state = emu.state().regions[R]!.images!.find((i) => i.ImageId === 'm-e-reg')!;
    expect(state.ehpc!.instantRegistered).toBe(false);
    expect(await refusal('ehpcinstant.RemoveImage', { RegionId: R, ImageId: 'm-e-reg', ImageType: 'VM' })).toEqual(['ImageNotFound', 404]);
    expect(await refusal('ehpcinstant.RemoveImage', { RegionId: R, ImageId: 'm-e-unreg' })).toEqual(['ImageNotFound', 404]);
    expect(await refusal('ehpcinstant.RemoveImage', { RegionId: R, ImageId: 'm-nope' })).toEqual(['ImageNotFound', 404]);
    expect(await refusal('ehpcinstant.RemoveImage', { RegionId: R, ImageId: 'm-e-jobs' })).toEqual(['ImageInUse', 403]);
    expect(await refusal('ehpcinstant.RemoveImage', { RegionId: R })).toEqual(['InvalidParams', 400]);
    expect(await refusal('ehpcinstant.RemoveImage', { RegionId: R, ImageId: 'm-e-ctr', ImageType: 'Docker' })).toEqual(['InvalidParams', 400]);
    expect(await refusal('ehpcinstant.RemoveImage', { RegionId: R, ImageId: 'm-e-ctr', ImageType: 'VM' })).toEqual(['ImageNotFound', 404]);
    expect(await api('ehpcinstant.RemoveImage', { RegionId: R, ImageId: 'm-e-ctr', ImageType: 'Container' })).toHaveProperty('Success', true);
    // Another region's image: not found there, found when no region is given.
    expect(await refusal('ehpcinstant.RemoveImage', { RegionId: R, ImageId: 'm-bj-reg' })).toEqual(['ImageNotFound', 404]);
    expect(await api('ehpcinstant.RemoveImage', { ImageId: 'm-bj-reg' })).toHaveProperty('Success', true);
  });

  it('E-HPC Instant ListImages lists registered images with CreateTime', async () => {
    const b = await api({ action: 'ListImages', version: '2023-07-01' }, { RegionId: R, ImageType: 'VM' });
    expect(b).toMatchObject({ Success: true, TotalCount: 2, PageNumber: 1, PageSize: 20 });
    expect((b.Images as Array<Record<string, unknown>>).map((i) => [i.ImageId, i.CreateTime])).toEqual([['m-e-jobs', T], ['m-e-reg', T]]);
    const byId = await api({ action: 'ListImages', version: '2023-07-01' }, { RegionId: R, ImageIds: JSON.stringify(['m-e-reg']) });
    expect(byId.TotalCount).toBe(1);
  });

  it('ListCustomImages needs a region; ImageOwnerAlias filters', async () => {
    expect(await refusal('ehpc.ListCustomImages', {})).toEqual(['MissingParameter', 400]);
    const others = await api('ehpc.ListCustomImages', { RegionId: R, ImageOwnerAlias: 'others' });
    expect((others.Images as { ImageInfo: unknown[] }).ImageInfo).toEqual([]);
  });

  it('scripted errors: E-HPC 406 EcsError once, 407 NotAuthorized', async () => {
    emu.setBehaviour({ errors: [
      { action: 'ehpcinstant.RemoveImage', status: 406, code: 'EcsError', message: 'An error occurred while calling the ECS API operation.', times: 1 },
      { action: 'ListCustomImages', status: 407, code: 'NotAuthorized', region: 'cn-beijing' },
    ] });
    expect(await refusal('ehpcinstant.RemoveImage', { RegionId: R, ImageId: 'm-e-reg' })).toEqual(['EcsError', 406]);
    expect(await api('ehpcinstant.RemoveImage', { RegionId: R, ImageId: 'm-e-reg' })).toHaveProperty('Success', true);
    expect(await refusal('ehpc.ListCustomImages', { RegionId: 'cn-beijing' })).toEqual(['NotAuthorized', 407]);
    expect(await api('ehpc.ListCustomImages', { RegionId: R })).toHaveProperty('Images');
    expect(emu.state().behaviour!.errors![0]!.times).toBe(0);
  });
});

describe('appstream-center DeleteImage', () => {
  it.each([
    ['imgc-nope', 'Image.NotExist'],
    ['imgc-system', 'ImageDeleteFailed.NotAllow'],
    ['imgc-shared', 'ImageDeleteFailed.HasSharedImage'],
    ['imgc-inuse', 'ImageNotAllowDelete'],
    ['imgc-creating', 'InvalidImageOperation.ImageIsCreating'],
  ])('%s → 400 %s', async (id, code) => {
    expect(await refusal('appstream.DeleteImage', { ImageId: id })).toEqual([code, 400]);
  });

  it('an absent ImageId is Image.NotExist; a good one is deleted everywhere', async () => {
    expect(await refusal('appstream.DeleteImage', {})).toEqual(['Image.NotExist', 400]);
    await api('appstream.DeleteImage', { ImageId: 'imgc-ok' });
    const left = await api('appstream.ListImage', { ImageId: 'imgc-ok' });
    expect(left.Count).toBe(0);
  });
});

describe('scale', () => {
  it('pages through 100,000 images in pages of 100, deleting along the way', async () => {
    const many: FleetImage[] = Array.from({ length: 100_000 }, (_, i) => ({
      ImageId: `m-big${String(i).padStart(6, '0')}`,
      CreationTime: new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString().replace('.000', ''),
      Tags: (i % 2 === 0 ? { even: 'yes' } : {}) as Record<string, string>,
    }));
    emu.loadFleet({ regions: { [R]: { images: many } } });
    let seen = 0;
    for (let page = 1; ; page++) {
      const b = await api('ecs.DescribeImages', { RegionId: R, ImageOwnerAlias: 'self', PageSize: 100, PageNumber: page, Tag: [{ Key: 'even', Value: 'yes' }] });
      const list = images(b);
      expect(b.TotalCount).toBe(page === 1 ? 50_000 : 49_999);
      seen += list.length;
      if (page === 1) await api('ecs.DeleteImage', { RegionId: R, ImageId: list[0]!.ImageId as string });
      if (list.length < 100) break;
    }
    expect(seen).toBe(49_999);
  }, 60_000);
});
