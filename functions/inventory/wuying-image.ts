/**
 * wuying-image: WUYING custom images (appstream-center ListImage, ImageType User). The service
 * has two endpoints and its images are global, so it is listed once per endpoint the policy's
 * regions name (cn-shanghai when they name neither), and an image seen on both is one item.
 */
import { fact, num, pick, readTagList, records, shown, text, wuyingTime, type Raw, type ReadTags } from './fields.js';
import { APPSTREAM_REGIONS } from '../cloud/endpoints.js';
import type { CloudApi } from '../cloud/api.js';
import { listNumbered, type Listed } from './paging.js';
import { deleted, deletionStep, type ResourceModule } from './resource.js';
import type { Fact, InventoryItem } from './types.js';

const AT_REST = new Set(['AVAILABLE', 'CREATE_FAILED']);
const IN_PROGRESS = new Set(['INIT', 'CREATING']);

/** DeleteImage answers (seed 003) that mean the image stays for a reason of its own. */
const REFUSALS = new Set([
  'ImageDeleteFailed.NotAllow',
  'ImageDeleteFailed.NotAllowCommunityParent',
  'ImageDeleteFailed.NotAllowSharedImage',
  'ImageDeleteFailed.HasSharedImage',
  'ImageNotAllowDelete',
  'InvalidImageOperation.ImageIsCreating',
]);
const GONE = new Set(['Image.NotExist']);

/** ListImage does not say whether desktops use an image or who it is shared with; DeleteImage refuses both. */
const REFUSED_BY_API = 'ListImage does not report it; DeleteImage refuses such an image';

function ownedFact(raw: Raw): Fact {
  const type = raw['ImageType'];
  if (type === 'User') return fact(true, 'ImageType=User');
  if (typeof type === 'string' && type !== '') return fact(false, `ImageType=${type}`);
  return fact(null, `ImageType ${shown(type)}`);
}

function atRestFact(raw: Raw): Fact {
  const status = raw['Status'];
  if (typeof status !== 'string' || status === '') return fact(null, `Status ${shown(status)}`);
  if (AT_REST.has(status)) return fact(true, `Status=${status}`);
  if (IN_PROGRESS.has(status)) return fact(false, `Status=${status}`);
  return fact(null, `Status=${status} is not a documented status`);
}

/** WUYING's TagList: `[{Key, Value}]`; absent is no tags, anything else unreadable is a problem. */
function wuyingTags(raw: Raw): ReadTags {
  const list = raw['TagList'];
  if (list === undefined || list === null) return { tags: {}, problem: null };
  if (!Array.isArray(list)) return { tags: {}, problem: `TagList ${shown(list)} is not a tag list` };
  return readTagList(list, 'Key', 'Value');
}

function toItem(region: string, raw: Raw): InventoryItem {
  const createdAt = wuyingTime(raw['GmtCreate']);
  const tagged = wuyingTags(raw);
  const system = num(raw, 'SystemDiskSize');
  const data = num(raw, 'DataDiskSize');
  return {
    kind: 'wuying-image',
    region,
    id: text(raw, 'ImageId') ?? '',
    name: text(raw, 'ImageName') ?? '',
    createdAt,
    createdAtRaw: typeof raw['GmtCreate'] === 'string' ? raw['GmtCreate'] : null,
    status: text(raw, 'Status'),
    tags: tagged.tags,
    tagsProblem: tagged.problem,
    family: null,
    osTag: null,
    productType: text(raw, 'ProductType'),
    sizeGiB: system === null && data === null ? null : (system ?? 0) + (data ?? 0),
    owned: ownedFact(raw),
    inUse: fact(false, `use by cloud computers: ${REFUSED_BY_API}`),
    shared: fact(false, `sharing: ${REFUSED_BY_API}`),
    isPublic: fact(raw['ImageType'] === 'Community' ? true : false, `ImageType ${shown(raw['ImageType'])}`),
    atRest: atRestFact(raw),
    warnings: [...(createdAt === null ? [`GmtCreate ${shown(raw['GmtCreate'])} is not a time`] : []), ...(tagged.problem !== null ? [tagged.problem] : [])],
    raw: pick(raw, ['ImageId', 'ImageName', 'ImageType', 'Status', 'GmtCreate', 'ProductType']),
  };
}

/** ListImage to the end, filtered by `params`. */
function listImages(api: CloudApi, region: string, params: Record<string, unknown>): Promise<Listed> {
  return listNumbered(api, {
    action: 'appstream.ListImage',
    region,
    params,
    pageSize: 100,
    items: (body) => records(body['Data']),
    total: (body) => body['Count'],
    id: (item) => text(item, 'ImageId'),
  });
}

export const wuyingImage: ResourceModule = {
  kind: 'wuying-image',
  regions(policyRegions) {
    const named = APPSTREAM_REGIONS.filter((r) => policyRegions.includes(r));
    return named.length > 0 ? named : ['cn-shanghai'];
  },

  async list(api, region) {
    const listed = await listImages(api, region, { ImageType: 'User' });
    return { items: listed.items.map((raw) => toItem(region, raw)), warnings: listed.warnings };
  },

  async remove(api, item) {
    const steps: string[] = [];
    let answer: Record<string, unknown> = {};
    const failed = await deletionStep(steps, 'DeleteImage', { gone: GONE, refused: REFUSALS }, async () => {
      answer = await api.call('appstream.DeleteImage', item.region, { ImageId: item.id });
    });
    if (failed !== null) return failed;
    if (answer['Data'] === false) {
      return { outcome: 'failed', code: 'DeleteNotConfirmed', httpStatus: 200, requestId: text(answer, 'RequestId'), message: 'DeleteImage answered Data=false', steps };
    }
    return deleted(steps);
  },

  /** ListImage ImageId=<id>, any ImageType (so that one no longer the account's own shows as such). */
  async describe(api, item) {
    const listed = await listImages(api, item.region, { ImageId: item.id });
    const raw = listed.items.find((r) => text(r, 'ImageId') === item.id);
    return raw === undefined ? null : toItem(item.region, raw);
  },
};
