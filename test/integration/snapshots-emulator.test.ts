/**
 * The emulator's snapshot side through image-gc's own client: DeleteImage leaves the image's
 * snapshots in the region; DescribeImages SnapshotId=; DescribeDisks (both paging styles);
 * DeleteSnapshot's refusals in the documented order with their codes and statuses.
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
        images: [
          { ImageId: 'm-a', CreationTime: '2026-01-01T00:00:00Z', Size: 30 },
          { ImageId: 'm-b', CreationTime: '2026-01-02T00:00:00Z', DiskDeviceMappings: [{ SnapshotId: 's-shared', Size: '50' }, { SnapshotId: 's-bdata', Size: 200 }] },
          { ImageId: 'm-c', CreationTime: '2026-01-03T00:00:00Z', Status: 'CreateFailed', DiskDeviceMappings: [{ SnapshotId: 's-shared', Size: '50' }] },
        ],
        snapshots: [
          { SnapshotId: 's-loose', SourceDiskSize: 10 },
          { SnapshotId: 's-disk', SourceDiskSize: 20 },
          { SnapshotId: 's-out', shared: true },
        ],
        disks: [
          ...Array.from({ length: 15 }, (_, i) => ({ DiskId: `d-${String(i).padStart(2, '0')}`, SourceSnapshotId: 's-disk' })),
          { DiskId: 'd-other', Status: 'Available' },
        ],
      },
    },
  };
}

const emu = emulatorPerFile(fleet);

const client = () => testClient(emu().url).client;
const snapshots = () => (emu().state().regions[R]!.snapshots ?? []).map((s) => s.SnapshotId);
const imageIds = (b: Body) => (b['Images'] as { Image: Array<{ ImageId: string }> }).Image.map((i) => i.ImageId);
const diskIds = (b: Body) => (b['Disks'] as { Disk: Array<{ DiskId: string }> }).Disk.map((d) => d.DiskId);

describe('DeleteImage leaves snapshots; DescribeImages finds images by snapshot', () => {
  it('the deleted image’s snapshots stay in the region, with their sizes', async () => {
    await client().call('ecs.DeleteImage', R, { ImageId: 'm-a', Force: false });
    await client().call('ecs.DeleteImage', R, { ImageId: 'm-b', Force: false });
    const left = emu().state().regions[R]!.snapshots!;
    expect(left.map((s) => s.SnapshotId)).toEqual(['s-loose', 's-disk', 's-out', 's-a', 's-shared', 's-bdata']);
    expect(left.find((s) => s.SnapshotId === 's-a')?.SourceDiskSize).toBe(30);
    expect(left.find((s) => s.SnapshotId === 's-bdata')?.SourceDiskSize).toBe(200);
  });

  it('SnapshotId= lists the images (any status asked for) whose disk mappings name it', async () => {
    const all = 'Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated';
    expect(imageIds(await client().call('ecs.DescribeImages', R, { SnapshotId: 's-shared', Status: all }))).toEqual(['m-c', 'm-b']);
    expect(imageIds(await client().call('ecs.DescribeImages', R, { SnapshotId: 's-shared' }))).toEqual(['m-b']);
    expect(imageIds(await client().call('ecs.DescribeImages', R, { SnapshotId: 's-a' }))).toEqual(['m-a']);
    expect((await client().call('ecs.DescribeImages', R, { SnapshotId: 's-loose', Status: all }))['TotalCount']).toBe(0);
  });
});

describe('DescribeDisks', () => {
  it('filters by SnapshotId; pages by number (max 100) and by token (MaxResults 10..500)', async () => {
    const numbered = await client().call('ecs.DescribeDisks', R, { SnapshotId: 's-disk', PageSize: 10, PageNumber: 2 });
    expect(numbered['TotalCount']).toBe(15);
    expect(diskIds(numbered)).toHaveLength(5);
    const first = await client().call('ecs.DescribeDisks', R, { SnapshotId: 's-disk', MaxResults: 10 });
    expect(diskIds(first)).toHaveLength(10);
    expect(typeof first['NextToken']).toBe('string');
    const second = await client().call('ecs.DescribeDisks', R, { SnapshotId: 's-disk', MaxResults: 10, NextToken: first['NextToken'] });
    expect(diskIds(second)).toHaveLength(5);
    expect(second['NextToken']).toBe('');
    // Below 10 counts as 10.
    expect(diskIds(await client().call('ecs.DescribeDisks', R, { SnapshotId: 's-disk', MaxResults: 3 }))).toHaveLength(10);
    expect(diskIds(await client().call('ecs.DescribeDisks', R, { SnapshotId: 's-nothing', MaxResults: 10 }))).toEqual([]);
    expect(diskIds(await client().call('ecs.DescribeDisks', R, { DiskIds: JSON.stringify(['d-other', 'd-01']) })).sort()).toEqual(['d-01', 'd-other']);
    expect(diskIds(await client().call('ecs.DescribeDisks', R, { Status: 'Available' }))).toEqual(['d-other']);
    expect(await rejectionOf(client().call('ecs.DescribeDisks', R, { PageSize: 101 }))).toMatchObject({ code: 'InvalidParameter', httpStatus: 400 });
  });
});

describe('DeleteSnapshot', () => {
  it.each([
    ['s-shared', false, 'SnapshotCreatedImage', 403],
    ['s-a', false, 'SnapshotCreatedImage', 403],
    ['s-disk', false, 'SnapshotCreatedDisk', 403],
    ['s-out', false, 'InvalidOperation.DeleteSharedSnapshotUnsupported', 403],
    ['s-nope', false, 'InvalidSnapshotId.NotFound', 404],
  ] as const)('%s (Force=%s) → %s %d, nothing removed', async (id, force, code, status) => {
    const before = snapshots();
    expect(await rejectionOf(client().call('ecs.DeleteSnapshot', R, { SnapshotId: id, Force: force }))).toMatchObject({ code, httpStatus: status, errorClass: 'final' });
    expect(snapshots()).toEqual(before);
  });

  it('deletes a free snapshot; Force=true deletes one a disk was created from; a missing one can be ignored', async () => {
    await client().call('ecs.DeleteSnapshot', R, { SnapshotId: 's-loose', Force: false });
    await client().call('ecs.DeleteSnapshot', R, { SnapshotId: 's-disk', Force: true });
    expect(snapshots()).toEqual(['s-out']);
    expect(await rejectionOf(client().call('ecs.DeleteSnapshot', R, { SnapshotId: 's-loose' }))).toMatchObject({ code: 'InvalidSnapshotId.NotFound' });
    emu().setBehaviour({ deleteMissingSnapshot: 'ignore' });
    expect(await client().call('ecs.DeleteSnapshot', R, { SnapshotId: 's-loose' })).toHaveProperty('RequestId');
    expect(await rejectionOf(client().call('ecs.DeleteSnapshot', R, {}))).toMatchObject({ code: 'MissingParameter', httpStatus: 400 });
  });

  it('is a mutating route: dry-run clients never send it', async () => {
    const { client: dry } = testClient(emu().url, { dryRun: true });
    expect(await rejectionOf(dry.call('ecs.DeleteSnapshot', R, { SnapshotId: 's-loose' }))).toMatchObject({ code: 'DryRunViolation' });
    expect(emu().calls()).toEqual([]);
  });
});

describe('fleet file: snapshots and disks', () => {
  it.each([
    [{ snapshots: [{ SnapshotName: 'x' }] }, 'regions.r.snapshots[0].SnapshotId: required'],
    [{ snapshots: [{ SnapshotId: 's-1', shared: 'yes' }] }, 'regions.r.snapshots[0].shared: expected true or false'],
    [{ snapshots: [{ SnapshotId: 's-1' }, { SnapshotId: 's-1' }] }, 'snapshots[1].SnapshotId: duplicate ID s-1'],
    [{ disks: [{ DiskId: 'd-1', Size: -1 }] }, 'regions.r.disks[0].Size: expected a number'],
    [{ disks: [{ DiskId: 'd-1', SnapshotId: 's-1' }] }, 'regions.r.disks[0].SnapshotId: unknown field'],
  ])('%j', (region, message) => {
    expect(() => validateFleet({ regions: { r: region } })).toThrow(message);
  });

  it('behaviour.deleteMissingSnapshot is error or ignore', () => {
    expect(() => validateFleet({ regions: {}, behaviour: { deleteMissingSnapshot: 'skip' } })).toThrow('behaviour.deleteMissingSnapshot: expected one of error, ignore');
  });
});
