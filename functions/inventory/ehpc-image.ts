/**
 * ehpc-image: E-HPC custom images (ListCustomImages), joined to ECS DescribeImages for what
 * E-HPC does not say: creation time, status, usage, sharing, tags, family, snapshots. Deleted by
 * deregistering from E-HPC Instant (RemoveImage) and then deleting the ECS image.
 */
import type { CloudApi } from '../cloud/api.js';
import { describeImagesByIds, ecsImageFacts } from './ecs-describe.js';
import { deleteEcsImage, describeRawByIds, selfImagesOnce } from './ecs-image.js';
import { listEhpcCustomImages, type EhpcCustomImage } from './ehpc-list.js';
import { fact, pick, text, type Raw } from './fields.js';
import { deleted, deletionStep, type ListContext, type ResourceModule } from './resource.js';
import type { InventoryItem } from './types.js';

/** ImageNotFound from RemoveImage means E-HPC Instant never registered it: nothing to undo, go on. */
const REMOVE_NOT_REGISTERED = new Set(['ImageNotFound']);
/** ImageInUse: jobs use it; the image must stay, so ECS is not asked either. */
const REMOVE_REFUSALS = new Set(['ImageInUse']);

async function describeJoin(api: CloudApi, region: string, ctx: ListContext, ids: string[]) {
  const byId = new Map<string, Raw>();
  const warnings: string[] = [];
  let missing = ids;
  if (ctx.kinds.has('ecs-image')) {
    // The ecs-image listing already holds every own image of the region: join on it for free.
    const self = await selfImagesOnce(api, region, ctx);
    for (const raw of self.items) {
      const id = text(raw, 'ImageId');
      if (id !== null) byId.set(id, raw);
    }
    missing = ids.filter((id) => !byId.has(id));
  }
  if (missing.length > 0) {
    const looked = await describeImagesByIds(api, region, missing);
    warnings.push(...looked.warnings);
    for (const raw of looked.items) {
      const id = text(raw, 'ImageId');
      if (id !== null && !byId.has(id)) byId.set(id, raw);
    }
  }
  return { byId, warnings };
}

function joined(region: string, custom: EhpcCustomImage, ecs: Raw | undefined): InventoryItem {
  if (ecs !== undefined) {
    const f = ecsImageFacts(ecs);
    return {
      kind: 'ehpc-image',
      region,
      productType: null,
      ...f,
      name: f.name || custom.name || '',
      osTag: custom.osTag,
      sizeGiB: f.sizeGiB ?? custom.sizeGiB,
      raw: { ...f.raw, OsTag: custom.osTag },
    };
  }
  // E-HPC lists it but ECS does not know it: nothing about its age, use or sharing can be shown.
  const unknown = 'DescribeImages does not know this image';
  return {
    kind: 'ehpc-image',
    region,
    id: custom.id,
    name: custom.name ?? '',
    createdAt: null,
    createdAtRaw: null,
    status: custom.status,
    tags: {},
    family: null,
    osTag: custom.osTag,
    productType: null,
    sizeGiB: custom.sizeGiB,
    owned: custom.ownerAlias === 'self' ? fact(true, 'ImageOwnerAlias=self (E-HPC)') : fact(null, `ImageOwnerAlias ${custom.ownerAlias ?? 'missing'} (E-HPC)`),
    inUse: fact(null, unknown),
    shared: fact(null, unknown),
    isPublic: fact(null, unknown),
    atRest: fact(null, unknown),
    snapshots: [],
    warnings: [`${unknown}: its creation time is unknown`],
    raw: pick(custom.raw, ['ImageId', 'ImageName', 'Status', 'Size', 'ImageOwnerAlias']),
  };
}

export const ehpcImage: ResourceModule = {
  kind: 'ehpc-image',
  regions: (policyRegions) => [...policyRegions],

  async list(api, region, ctx) {
    const customs = await listEhpcCustomImages(api, region, ctx);
    const { byId, warnings } = await describeJoin(api, region, ctx, customs.map((c) => c.id));
    return { items: customs.map((c) => joined(region, c, byId.get(c.id))), warnings };
  },

  async remove(api, item) {
    const steps: string[] = [];
    const removed = await deletionStep(steps, 'RemoveImage', { gone: new Set(), refused: REMOVE_REFUSALS }, () =>
      api.call('ehpcinstant.RemoveImage', item.region, { RegionId: item.region, ImageType: 'VM', ImageId: item.id }),
    );
    if (removed !== null && !(removed.outcome === 'failed' && REMOVE_NOT_REGISTERED.has(removed.code ?? ''))) return removed;
    return (await deleteEcsImage(api, item, steps)) ?? deleted(steps);
  },

  /** ECS DescribeImages only: what E-HPC alone says (the OsTag) is carried over from `item`. Gone from ECS is gone. */
  async describe(api, item) {
    const raw = (await describeRawByIds(api, item.region, [item])).get(item.id);
    return raw === undefined ? null : joined(item.region, carriedOver(item), raw);
  },

  async describeMany(api, region, items) {
    const byId = await describeRawByIds(api, region, items);
    return new Map(items.map((item) => {
      const raw = byId.get(item.id);
      return [item.id, raw === undefined ? null : joined(region, carriedOver(item), raw)];
    }));
  },
};

/** What E-HPC said of the image at listing time: DescribeImages does not know its OsTag. */
function carriedOver(item: InventoryItem): EhpcCustomImage {
  return { id: item.id, name: item.name, osTag: item.osTag, status: item.status, sizeGiB: item.sizeGiB, ownerAlias: 'self', raw: {} };
}
