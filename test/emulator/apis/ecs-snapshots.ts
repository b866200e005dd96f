/**
 * ECS 2014-05-26 snapshots and disks, for the snapshot cascade: DescribeDisks (who was created
 * from a snapshot) and DeleteSnapshot.
 *
 * A snapshot exists while an image's DiskDeviceMappings name it, or while the region lists it in
 * `snapshots` (where DeleteImage leaves an image's snapshots). DeleteSnapshot (Force=false)
 * checks, in this order (the error table of
 * https://www.alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-deletesnapshot):
 * missing → 404 InvalidSnapshotId.NotFound (or 200 with behaviour.deleteMissingSnapshot 'ignore';
 * the docs also say a missing snapshot is ignored); an image uses it → 403 SnapshotCreatedImage;
 * a disk was created from it and Force is not true → 403 SnapshotCreatedDisk; shared → 403
 * InvalidOperation.DeleteSharedSnapshotUnsupported. Otherwise it leaves the region.
 */
import { ApiError } from '../errors.js';
import type { FleetDisk } from '../fleet.js';
import { pageByToken } from '../paging.js';
import { ecsPage, ecsRegion, withAnswer, type ApiAnswer, type ApiContext } from './common.js';

function renderDisk(d: FleetDisk, region: string): ApiAnswer {
  return withAnswer(
    {
      DiskId: d.DiskId,
      DiskName: d.DiskId,
      RegionId: region,
      ZoneId: `${region}-h`,
      SourceSnapshotId: d.SourceSnapshotId ?? '',
      Size: d.Size ?? 40,
      Status: d.Status ?? 'In_use',
      Type: d.Type ?? 'data',
      Category: 'cloud_essd',
      InstanceId: d.InstanceId ?? '',
      Portable: true,
      CreationTime: '2026-01-01T00:00:00Z',
      Tags: { Tag: [] },
    },
    d.answer,
  );
}

/** JSON-array parameters (`DiskIds=["d-1","d-2"]`), as the ECS SDK sends them. */
function jsonIds(ctx: ApiContext, name: string): string[] | undefined {
  const raw = ctx.params.str(name);
  if (raw === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(raw);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  } catch {
    // fall through
  }
  throw new ApiError(400, 'InvalidParameter', `The specified parameter "${name}" is not a JSON array of IDs.`);
}

/**
 * DescribeDisks: RegionId, SnapshotId, DiskIds (JSON array), Status (default All); paged by
 * PageNumber/PageSize (default 10, max 100) or, when MaxResults or NextToken is given, by token
 * (MaxResults 10..500: below 10 counts as 10, above 500 as 500, as the SDK documents).
 */
export function describeDisks(ctx: ApiContext): ApiAnswer {
  const region = ecsRegion(ctx);
  const snapshotId = ctx.params.str('SnapshotId');
  const ids = jsonIds(ctx, 'DiskIds');
  const status = ctx.params.str('Status');
  const all = region.disks.filter(
    (d) =>
      (snapshotId === undefined || d.SourceSnapshotId === snapshotId) &&
      (ids === undefined || ids.includes(d.DiskId)) &&
      (status === undefined || status === 'All' || (d.Status ?? 'In_use') === status),
  );
  const tokenPaged = ctx.params.str('MaxResults') !== undefined || ctx.params.str('NextToken') !== undefined;
  if (tokenPaged) {
    const max = Math.min(500, Math.max(10, ctx.params.int('MaxResults', 10, 1, Number.MAX_SAFE_INTEGER)));
    const page = pageByToken(all, ctx.params.str('NextToken'), max, ctx.fleet.behaviour.paging);
    const answer: ApiAnswer = { RequestId: ctx.requestId, TotalCount: page.totalCount, Disks: { Disk: page.items.map((d) => renderDisk(d, region.name)) } };
    if (page.nextToken !== undefined) answer.NextToken = page.nextToken;
    return answer;
  }
  const { head, items } = ecsPage(ctx, all, 100);
  return { RequestId: ctx.requestId, ...head, NextToken: '', Disks: { Disk: items.map((d) => renderDisk(d, region.name)) } };
}

export function deleteSnapshot(ctx: ApiContext): ApiAnswer {
  const region = ecsRegion(ctx);
  const id = ctx.params.required('SnapshotId', () => new ApiError(400, 'MissingParameter', 'The input parameter SnapshotId that is mandatory for processing this request is not supplied.'));
  const force = ctx.params.bool('Force', false);
  const listed = region.snapshots.get(id);
  const images = region.imagesUsingSnapshot(id);
  if (listed === undefined && images.length === 0) {
    if (ctx.fleet.behaviour.deleteMissingSnapshot === 'ignore') return { RequestId: ctx.requestId };
    throw new ApiError(404, 'InvalidSnapshotId.NotFound', 'The specified snapshot is not found.');
  }
  if (images.length > 0) throw new ApiError(403, 'SnapshotCreatedImage', 'The snapshot has been used to create user defined image(s).');
  if (!force && region.disks.some((d) => d.SourceSnapshotId === id)) {
    throw new ApiError(403, 'SnapshotCreatedDisk', 'The snapshot has been used to create disk(s).');
  }
  if (listed?.shared) {
    throw new ApiError(403, 'InvalidOperation.DeleteSharedSnapshotUnsupported', 'The current snapshot shares authorization with other users. Please revoke the shared authorization through resource management first.');
  }
  region.snapshots.delete(id);
  return { RequestId: ctx.requestId };
}
