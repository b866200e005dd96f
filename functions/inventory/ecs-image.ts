/**
 * ecs-image: the account's own ECS custom images (DescribeImages, every status), deleted with
 * DeleteImage Force=false so that ECS itself refuses an image instances still use.
 */
import type { CloudApi } from '../cloud/api.js';
import { describeImagesByIds, ecsImageFacts, listSelfImages } from './ecs-describe.js';
import { text, type Raw } from './fields.js';
import { listEhpcCustomImages } from './ehpc-list.js';
import { deleted, deletionStep, type ListContext, type ResourceModule } from './resource.js';
import type { InventoryItem } from './types.js';

/** DeleteImage answers that mean the image stays for a reason of its own (seed 001). */
export const ECS_DELETE_REFUSALS = new Set([
  'ImageUsingByInstance',
  'ImageUseShared',
  'OperationDenied.ImageCopying',
  'ImageIsImporting',
  'ImageIsExporting',
  'ImageIsPublic',
  'ImageIsCreating',
]);
export const ECS_IMAGE_GONE = new Set(['InvalidImageId.NotFound']);

/** One image by ID, every status and any owner (so that one no longer ours shows as such); null when ECS does not know it. */
export async function describeImageById(api: CloudApi, region: string, id: string): Promise<Raw | null> {
  const found = await describeImagesByIds(api, region, [id]);
  return found.items.find((raw) => text(raw, 'ImageId') === id) ?? null;
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
      const f = ecsImageFacts(raw);
      if (ehpcIds.has(f.id)) continue;
      items.push({ kind: 'ecs-image', region, osTag: null, productType: null, ...f });
    }
    return { items, warnings: listed.warnings };
  },

  async remove(api, item) {
    const steps: string[] = [];
    const failed = await deletionStep(steps, 'DeleteImage', { gone: ECS_IMAGE_GONE, refused: ECS_DELETE_REFUSALS }, () =>
      api.call('ecs.DeleteImage', item.region, { RegionId: item.region, ImageId: item.id, Force: false }),
    );
    return failed ?? deleted(steps);
  },

  async describe(api, item) {
    const raw = await describeImageById(api, item.region, item.id);
    return raw === null ? null : { kind: 'ecs-image', region: item.region, osTag: null, productType: null, ...ecsImageFacts(raw) };
  },

  async describeMany(api, region, items) {
    const byId = await describeRawByIds(api, region, items);
    return new Map(items.map((item) => {
      const raw = byId.get(item.id);
      return [item.id, raw === undefined ? null : { kind: 'ecs-image', region, osTag: null, productType: null, ...ecsImageFacts(raw) }];
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
