/**
 * ecs-image: the account's own ECS custom images (DescribeImages, every status), deleted with
 * DeleteImage Force=false so that ECS itself refuses an image instances still use.
 */
import type { CloudApi } from '../cloud/api.js';
import { describeImagesByIds, ecsImageFacts, listSelfImages } from './ecs-describe.js';
import { text, type Raw } from './fields.js';
import { listEhpcCustomImages } from './ehpc-list.js';
import { deleted, deletionStep, type DeleteResult, type ListContext, type ResourceModule } from './resource.js';
import type { InventoryItem } from './types.js';

/** DeleteImage answers that mean the image stays for a reason of its own (seed 001). */
const ECS_DELETE_REFUSALS = new Set([
  'ImageUsingByInstance',
  'ImageUseShared',
  'OperationDenied.ImageCopying',
  'ImageIsImporting',
  'ImageIsExporting',
  'ImageIsPublic',
  'ImageIsCreating',
]);
const ECS_IMAGE_GONE = new Set(['InvalidImageId.NotFound']);

/** ECS DeleteImage with Force=false, so that ECS itself refuses an image instances still use; null when it went. */
export function deleteEcsImage(api: CloudApi, item: InventoryItem, steps: string[]): Promise<DeleteResult | null> {
  return deletionStep(steps, 'DeleteImage', { gone: ECS_IMAGE_GONE, refused: ECS_DELETE_REFUSALS }, () =>
    api.call('ecs.DeleteImage', item.region, { RegionId: item.region, ImageId: item.id, Force: false }),
  );
}

function ecsItem(region: string, raw: Raw): InventoryItem {
  return { kind: 'ecs-image', region, osTag: null, productType: null, ...ecsImageFacts(raw) };
}

export function selfImagesOnce(api: CloudApi, region: string, ctx: ListContext) {
  return ctx.once(`ecs.DescribeImages.self:${region}`, () => listSelfImages(api, region));
}

export const ecsImage: ResourceModule = {
  kind: 'ecs-image',
  regions: (policyRegions) => [...policyRegions],

  async list(api, region, ctx) {
    const listed = await selfImagesOnce(api, region, ctx);
    // An image E-HPC lists is an ehpc-image when the policy has ehpc-image rules: it must be
    // deregistered from E-HPC before ECS deletes it, and it gets exactly one decision.
    const ehpcIds = ctx.kinds.has('ehpc-image')
      ? new Set((await listEhpcCustomImages(api, region, ctx)).map((i) => i.id))
      : new Set<string>();
    const items: InventoryItem[] = [];
    for (const raw of listed.items) {
      const it = ecsItem(region, raw);
      if (!ehpcIds.has(it.id)) items.push(it);
    }
    return { items, warnings: listed.warnings };
  },

  async remove(api, item) {
    const steps: string[] = [];
    return (await deleteEcsImage(api, item, steps)) ?? deleted(steps);
  },

  /** One image by ID, every status and any owner (so that one no longer ours shows as such); null when ECS does not know it. */
  async describe(api, item) {
    const raw = (await describeRawByIds(api, item.region, [item])).get(item.id);
    return raw === undefined ? null : ecsItem(item.region, raw);
  },

  async describeMany(api, region, items) {
    const byId = await describeRawByIds(api, region, items);
    return new Map(items.map((item) => {
      const raw = byId.get(item.id);
      return [item.id, raw === undefined ? null : ecsItem(region, raw)];
    }));
  },
};

/** The DescribeImages answers for these items' IDs, 100 a call (usually one call), by ID. */
export async function describeRawByIds(api: CloudApi, region: string, items: readonly InventoryItem[]): Promise<Map<string, Raw>> {
  const found = await describeImagesByIds(api, region, [...new Set(items.map((i) => i.id))]);
  const byId = new Map<string, Raw>();
  for (const raw of found.items) {
    const id = text(raw, 'ImageId');
    if (id !== null) byId.set(id, raw);
  }
  return byId;
}
