/**
 * ECS DescribeImages, shared by ecs-image and ehpc-image: listing the account's own images in
 * every status, looking images up by ID in batches, and turning one answer item into facts.
 */
import type { CloudApi } from '../cloud/api.js';
import { bool, ecsTags, fact, isoTime, num, path, pick, records, shown, text, type Raw } from './fields.js';
import { listNumbered, type Listed } from './paging.js';
import type { Fact, InventoryItem, SnapshotRef } from './types.js';

/**
 * Every documented status. The API lists only `Available` unless asked, and a collector that
 * never sees CreateFailed images never cleans them up. `ALL` would do the same, but it cannot
 * be combined with other values and older documentation does not list it.
 */
export const ALL_IMAGE_STATUSES = 'Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated';
/** Statuses of an image at rest: nothing is being done to it. */
const AT_REST = new Set(['Available', 'UnAvailable', 'CreateFailed', 'Deprecated']);
const IN_PROGRESS = new Set(['Creating', 'Waiting']);
/** DescribeImages takes at most 100 IDs, comma-separated, per call. */
export const IDS_PER_CALL = 100;
export const PAGE_SIZE = 100;

const imageItems = (body: Raw) => records(path(body, 'Images', 'Image'));
const imageId = (item: Raw) => text(item, 'ImageId');

/** The fields of a DescribeImages item that the audit log shows as the API's own (`api`). */
const LOGGED_FIELDS = ['ImageId', 'ImageName', 'CreationTime', 'Status', 'Progress', 'Usage', 'IsSelfShared', 'IsPublic', 'ImageOwnerAlias', 'ImageFamily', 'Size'];
/** Every field ecsImageFacts reads: an item cut to these gives the same facts (a property test says so). */
export const ECS_FACT_FIELDS: readonly string[] = [...LOGGED_FIELDS, 'Tags', 'DiskDeviceMappings'];
/** A DescribeImages item cut to what its facts are made of, as each page arrives. */
export const slimImage = (item: Raw): Raw => pick(item, ECS_FACT_FIELDS);

/** The account's own images in one region, every status. */
export function listSelfImages(api: CloudApi, region: string): Promise<Listed> {
  return listNumbered(api, {
    action: 'ecs.DescribeImages',
    region,
    params: { RegionId: region, ImageOwnerAlias: 'self', Status: ALL_IMAGE_STATUSES },
    pageSize: PAGE_SIZE,
    items: imageItems,
    total: (body) => body['TotalCount'],
    id: imageId,
    slim: slimImage,
  });
}

/**
 * Images by ID, 100 a call. The owner alias is left open so that an image someone else owns comes
 * back as such instead of looking unknown. IDs the API does not return are simply absent.
 */
export async function describeImagesByIds(api: CloudApi, region: string, ids: readonly string[]): Promise<Listed> {
  const items: Raw[] = [];
  const warnings: string[] = [];
  let calls = 0;
  for (let i = 0; i < ids.length; i += IDS_PER_CALL) {
    const batch = ids.slice(i, i + IDS_PER_CALL);
    const listed = await listNumbered(api, {
      action: 'ecs.DescribeImages',
      region,
      params: { RegionId: region, ImageId: batch.join(','), Status: ALL_IMAGE_STATUSES },
      pageSize: PAGE_SIZE,
      items: imageItems,
      total: (body) => body['TotalCount'],
      id: imageId,
      slim: slimImage,
    });
    items.push(...listed.items);
    warnings.push(...listed.warnings);
    calls += listed.calls;
  }
  return { items, warnings, calls };
}

/**
 * What one DescribeImages item says about the image, as facts with their evidence: the inventory
 * record less what the kind adds (kind, region, E-HPC's osTag, WUYING's productType, pipelines'
 * fields), with its snapshots and tag problem always present.
 */
export type EcsImageFacts = Omit<InventoryItem, 'kind' | 'region' | 'osTag' | 'productType' | 'lastActivityAt' | 'executions' | 'snapshots' | 'tagsProblem'> & {
  readonly snapshots: readonly SnapshotRef[];
  readonly tagsProblem: string | null;
};

export function ecsImageFacts(item: Raw): EcsImageFacts {
  const id = text(item, 'ImageId') ?? '';
  const warnings: string[] = [];
  const createdAtRaw = typeof item['CreationTime'] === 'string' ? item['CreationTime'] : null;
  const createdAt = isoTime(item['CreationTime']);
  if (createdAt === null) warnings.push(`CreationTime ${shown(item['CreationTime'])} is not an ISO time with a zone`);
  const { tags, problem: tagsProblem } = ecsTags(item);
  if (tagsProblem !== null) warnings.push(tagsProblem);
  return {
    id,
    name: text(item, 'ImageName') ?? '',
    createdAt,
    createdAtRaw,
    status: text(item, 'Status'),
    tags,
    tagsProblem,
    family: text(item, 'ImageFamily'),
    sizeGiB: num(item, 'Size'),
    owned: ownedFact(item),
    inUse: usageFact(item),
    shared: sharedFact(item),
    isPublic: publicFact(item),
    atRest: atRestFact(item),
    snapshots: snapshotsOf(item),
    warnings,
    raw: pick(item, LOGGED_FIELDS),
  };
}

function ownedFact(item: Raw): Fact {
  const alias = item['ImageOwnerAlias'];
  if (alias === 'self') return fact(true, 'ImageOwnerAlias=self');
  if (typeof alias === 'string' && alias !== '') return fact(false, `ImageOwnerAlias=${alias}`);
  return fact(null, `ImageOwnerAlias ${shown(alias)}`);
}

function usageFact(item: Raw): Fact {
  const usage = item['Usage'];
  if (usage === 'instance') return fact(true, 'Usage=instance (instances were created from it)');
  if (usage === 'none') return fact(false, 'Usage=none');
  return fact(null, `Usage ${shown(usage)}: cannot tell whether instances use it`);
}

function sharedFact(item: Raw): Fact {
  const shared = bool(item, 'IsSelfShared');
  if (shared === true) return fact(true, 'IsSelfShared=true (shared with other accounts)');
  if (shared === false) return fact(false, 'IsSelfShared=false');
  return fact(null, `IsSelfShared ${shown(item['IsSelfShared'])}: cannot tell whether it is shared`);
}

function publicFact(item: Raw): Fact {
  const isPublic = bool(item, 'IsPublic');
  if (isPublic === true) return fact(true, 'IsPublic=true (public or community image)');
  if (isPublic === false) return fact(false, 'IsPublic=false');
  return fact(null, `IsPublic ${shown(item['IsPublic'])}: cannot tell whether it is public`);
}

function atRestFact(item: Raw): Fact {
  const status = item['Status'];
  const progress = item['Progress'];
  if (typeof status !== 'string' || status === '') return fact(null, `Status ${shown(status)}`);
  if (IN_PROGRESS.has(status)) return fact(false, `Status=${status}`);
  if (!AT_REST.has(status)) return fact(null, `Status=${status} is not a documented status`);
  if (progress !== undefined && progress !== '100%') return fact(false, `Status=${status}, Progress=${shown(progress)}`);
  return fact(true, `Status=${status}`);
}

function snapshotsOf(item: Raw): SnapshotRef[] {
  const out: SnapshotRef[] = [];
  for (const m of records(path(item, 'DiskDeviceMappings', 'DiskDeviceMapping'))) {
    const id = text(m, 'SnapshotId');
    if (id !== null) out.push({ id, sizeGiB: num(m, 'Size') });
  }
  return out;
}
