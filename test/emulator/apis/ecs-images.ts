/**
 * ECS 2014-05-26 image calls: DescribeImages, DeleteImage, DescribeImageSharePermission.
 * Facts: alibaba-openapi.md §2.2, §2.6, §2.10 and seeds/001 (DeleteImage error table).
 */
import { ApiError, invalidParameter } from '../errors.js';
import { IMAGE_STATUSES, OWNER_ALIASES, type BusyKind, type FleetImage } from '../fleet.js';
import { pageByNumber } from '../paging.js';
import { RegionState, type FleetState } from '../state.js';
import { ecsPage, ecsRegion, ecsTags, matchesTags, tagFilter, withAnswer, type ApiAnswer, type ApiContext } from './common.js';

const OTHER_OWNER_ID = 9876543210987654;

function progressOf(img: FleetImage): string {
  if (img.Progress !== undefined) return img.Progress;
  const building = img.busy === 'creating' || img.busy === 'importing' || img.Status === 'Creating' || img.Status === 'Waiting';
  return building ? '42%' : '100%';
}

function ownerIdOf(img: FleetImage, fleet: FleetState): number {
  if (img.ImageOwnerId !== undefined) return img.ImageOwnerId;
  return (img.ImageOwnerAlias ?? 'self') === 'self' ? Number(fleet.accountId) : OTHER_OWNER_ID;
}

function diskMappings(img: FleetImage, size: number): ApiAnswer {
  const given = img.DiskDeviceMappings;
  const list = given
    ? given.map((d) => ({ Device: d.Device ?? '', Size: String(d.Size ?? ''), SnapshotId: d.SnapshotId ?? '', Type: d.Type ?? 'system' }))
    : [{ Device: '/dev/xvda', Size: String(size), SnapshotId: `s-${img.ImageId.replace(/^m-/, '')}`, Type: 'system' }];
  return { DiskDeviceMapping: list.map((d) => ({ ...d, Format: '', ImportOSSBucket: '', ImportOSSObject: '', Progress: '100%', RemainTime: 0, Encrypted: 'false' })) };
}

/** An image as DescribeImages returns it (real field names and types; `answer` merged last). */
export function renderImage(img: FleetImage, fleet: FleetState): ApiAnswer {
  const size = img.Size ?? 40;
  const shared = (img.sharedWith ?? []).length > 0;
  return withAnswer(
    {
      ImageId: img.ImageId,
      ImageName: img.ImageName ?? img.ImageId,
      Description: img.Description ?? '',
      CreationTime: img.CreationTime,
      Status: img.Status ?? 'Available',
      Size: size,
      ImageFamily: img.ImageFamily ?? '',
      ImageVersion: '',
      ImageOwnerAlias: img.ImageOwnerAlias ?? 'self',
      ImageOwnerId: ownerIdOf(img, fleet),
      Usage: (img.usedByInstances ?? 0) > 0 ? 'instance' : 'none',
      IsSelfShared: shared ? 'true' : 'false',
      IsPublic: img.isPublic ?? false,
      IsCopied: img.IsCopied ?? false,
      IsSubscribed: false,
      IsSupportCloudinit: true,
      IsSupportIoOptimized: true,
      Progress: progressOf(img),
      OSType: img.OSType ?? 'linux',
      OSName: img.OSName ?? 'CentOS 7.9 64 bit',
      OSNameEn: img.OSName ?? 'CentOS 7.9 64 bit',
      Platform: img.Platform ?? 'CentOS',
      Architecture: img.Architecture ?? 'x86_64',
      BootMode: 'BIOS',
      ProductCode: '',
      ResourceGroupId: '',
      Usable: true,
      Tags: ecsTags(img.Tags),
      DiskDeviceMappings: diskMappings(img, size),
    },
    img.answer,
  );
}

const DEFAULT_OWNERS = ['system', 'self', 'others'];

interface ImageFilter {
  owners: string[];
  statuses: string[];
  name?: string;
  family?: string;
  usage?: string;
  isPublic?: boolean;
  /** Images whose disk mappings name this snapshot. */
  snapshotId?: string;
  tags: ReturnType<typeof tagFilter>;
}

function parseFilter(ctx: ApiContext, hasImageIds: boolean): ImageFilter {
  const p = ctx.params;
  const owner = p.str('ImageOwnerAlias');
  if (owner !== undefined && !(OWNER_ALIASES as readonly string[]).includes(owner)) throw invalidParameter('ImageOwnerAlias');
  let statuses = p.commaList('Status');
  if (statuses.includes('ALL')) {
    if (statuses.length > 1) throw invalidParameter('Status', 'cannot combine ALL with other values');
    statuses = [...IMAGE_STATUSES];
  } else if (statuses.length === 0) {
    statuses = hasImageIds && ctx.fleet.behaviour.imageIdListsAllStatuses ? [...IMAGE_STATUSES] : ['Available'];
  }
  const usage = p.str('Usage');
  if (usage !== undefined && usage !== 'instance' && usage !== 'none') throw invalidParameter('Usage', 'must be instance or none');
  const isPublic = p.str('IsPublic') === undefined ? undefined : p.bool('IsPublic', false);
  return { owners: owner ? [owner] : DEFAULT_OWNERS, statuses, name: p.str('ImageName'), family: p.str('ImageFamily'), usage, isPublic, snapshotId: p.str('SnapshotId'), tags: tagFilter(ctx) };
}

function matches(img: FleetImage, f: ImageFilter): boolean {
  return (
    f.owners.includes(img.ImageOwnerAlias ?? 'self') &&
    f.statuses.includes(img.Status ?? 'Available') &&
    (f.name === undefined || (img.ImageName ?? img.ImageId).includes(f.name)) &&
    (f.family === undefined || img.ImageFamily === f.family) &&
    (f.usage === undefined || ((img.usedByInstances ?? 0) > 0 ? 'instance' : 'none') === f.usage) &&
    (f.isPublic === undefined || (img.isPublic ?? false) === f.isPublic) &&
    (f.snapshotId === undefined || RegionState.snapshotIdsOf(img).includes(f.snapshotId)) &&
    matchesTags(img.Tags, f.tags)
  );
}

function selectImages(region: RegionState, ids: string[], f: ImageFilter): readonly FleetImage[] {
  if (ids.length > 0) {
    // Direct lookup: no need to scan a 100,000-image region for a handful of IDs.
    const found = [...new Set(ids)].map((id) => region.images.get(id)).filter((i): i is FleetImage => i !== undefined && matches(i, f));
    return found.sort(region.images.compare);
  }
  return region.images.filter(JSON.stringify(f), (i) => matches(i, f));
}

export function describeImages(ctx: ApiContext): ApiAnswer {
  const region = ecsRegion(ctx);
  const ids = ctx.params.commaList('ImageId');
  if (ids.length > 100) throw invalidParameter('ImageId', 'holds more than 100 IDs');
  const filter = parseFilter(ctx, ids.length > 0);
  const { head, items } = ecsPage(ctx, selectImages(region, ids, filter), 100);
  return { RequestId: ctx.requestId, RegionId: region.name, ...head, Images: { Image: items.map((i) => renderImage(i, ctx.fleet)) } };
}

const BUSY_REFUSAL: Record<BusyKind, [string, string]> = {
  copying: ['OperationDenied.ImageCopying', 'The Image is coping.'],
  importing: ['ImageIsImporting', 'The specified Image is importing.'],
  exporting: ['ImageIsExporting', 'The specified Image is exporting. Please cancel task first.'],
  creating: ['ImageIsCreating', 'The specified image is creating.'],
};

/** Own images only: another account's image is "not found" to DeleteImage and friends. */
export function ownImage(region: RegionState, id: string): FleetImage | undefined {
  const img = region.images.get(id);
  return img && (img.ImageOwnerAlias ?? 'self') === 'self' ? img : undefined;
}

export function imageNotFound(): ApiError {
  return new ApiError(404, 'InvalidImageId.NotFound', 'The specified ImageId does not exist.');
}

export function deleteImage(ctx: ApiContext): ApiAnswer {
  const region = ecsRegion(ctx);
  const id = ctx.params.required('ImageId');
  const force = ctx.params.bool('Force', false);
  const dryRun = ctx.params.bool('DryRun', false);
  const img = ownImage(region, id);
  if (!img) {
    if (ctx.fleet.behaviour.deleteMissingImage === 'ignore') return { RequestId: ctx.requestId };
    throw imageNotFound();
  }
  // Refusal order (a guess, README): busy, public, shared, in use.
  if (img.busy) {
    const [code, message] = BUSY_REFUSAL[img.busy];
    throw new ApiError(403, code, message);
  }
  if (img.isPublic) throw new ApiError(403, 'ImageIsPublic', 'You can not delete public image, please modify it to private.');
  if ((img.sharedWith ?? []).length > 0 && !(force && ctx.fleet.behaviour.forceDeletesSharedImage)) {
    throw new ApiError(403, 'ImageUseShared', 'The specified image has been shared to others.');
  }
  if ((img.usedByInstances ?? 0) > 0 && !force) {
    throw new ApiError(403, 'ImageUsingByInstance', 'The specified image has been used to create instances.');
  }
  if (dryRun) throw new ApiError(400, 'DryRunOperation', 'Request validation has been passed with DryRun flag set.');
  region.images.delete(id);
  leaveSnapshots(region, img);
  return { RequestId: ctx.requestId };
}

/** DeleteImage leaves the image's snapshots behind (they are what costs money): they stay in the region's list. */
function leaveSnapshots(region: RegionState, img: FleetImage): void {
  const sizes = new Map((img.DiskDeviceMappings ?? []).map((d) => [d.SnapshotId ?? '', Number(d.Size ?? img.Size ?? 40)]));
  for (const id of RegionState.snapshotIdsOf(img)) {
    if (region.snapshots.has(id)) continue;
    const size = sizes.get(id);
    region.snapshots.set(id, { SnapshotId: id, SourceDiskSize: size !== undefined && Number.isFinite(size) ? size : (img.Size ?? 40), CreationTime: img.CreationTime });
  }
}

export function describeImageSharePermission(ctx: ApiContext): ApiAnswer {
  const region = ecsRegion(ctx);
  const id = ctx.params.required('ImageId');
  const img = ownImage(region, id);
  if (!img) throw imageNotFound();
  const pageNumber = ctx.params.int('PageNumber', 1, 1, Number.MAX_SAFE_INTEGER);
  const pageSize = ctx.params.int('PageSize', 10, 1, 100);
  const accounts = (img.sharedWith ?? []).map((s) =>
    typeof s === 'string' ? { AliyunId: s, SharedTime: img.CreationTime } : { AliyunId: s.AliyunId, SharedTime: s.SharedTime ?? img.CreationTime },
  );
  const page = pageByNumber(accounts, pageNumber, pageSize);
  return {
    RequestId: ctx.requestId,
    RegionId: region.name,
    ImageId: id,
    TotalCount: page.totalCount,
    PageNumber: pageNumber,
    PageSize: pageSize,
    ShareGroups: { ShareGroup: img.isPublic ? [{ Group: 'all' }] : [] },
    Accounts: { Account: page.items },
  };
}
