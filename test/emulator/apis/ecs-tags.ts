/**
 * ECS 2014-05-26 TagResources / UntagResources for ResourceType=image (alibaba-openapi.md §2.9).
 * All-or-nothing: every resource is checked before any tag changes.
 */
import { ApiError, invalidParameter, missingParameter } from '../errors.js';
import type { FleetImage } from '../fleet.js';
import type { RegionState } from '../state.js';
import { ownImage } from './ecs-images.js';
import { ecsRegion, type ApiAnswer, type ApiContext } from './common.js';

function resources(ctx: ApiContext): { region: RegionState; images: FleetImage[] } {
  const region = ecsRegion(ctx);
  const type = ctx.params.required('ResourceType');
  if (type !== 'image') {
    throw new ApiError(400, 'InvalidResourceType.NotSupported', `The specified ResourceType "${type}" is not supported here; only image is.`);
  }
  const ids = ctx.params.list('ResourceId');
  if (ids.length === 0) throw missingParameter('ResourceId.1');
  if (ids.length > 50) throw invalidParameter('ResourceId', 'holds more than 50 IDs');
  const images = ids.map((id) => {
    const img = ownImage(region, id);
    if (!img) throw new ApiError(404, 'InvalidResourceId.NotFound', `The specified resource ${id} does not exist.`);
    return img;
  });
  return { region, images };
}

function checkTagKey(key: string): void {
  if (key.length > 128 || /^(aliyun|acs:)/i.test(key) || /https?:\/\//i.test(key)) {
    throw new ApiError(400, 'InvalidTagKey.Malformed', `The specified tag key "${key}" is not valid.`);
  }
}

export function tagResources(ctx: ApiContext): ApiAnswer {
  const { region, images } = resources(ctx);
  const tags = ctx.params.objects('Tag');
  if (tags.length === 0) throw missingParameter('Tag.1.Key');
  if (tags.length > 20) throw invalidParameter('Tag', 'holds more than 20 tags');
  const seen = new Set<string>();
  tags.forEach((t, i) => {
    const key = t.Key;
    if (key === undefined || key === '') throw missingParameter(`Tag.${i + 1}.Key`);
    checkTagKey(key);
    if (seen.has(key)) throw invalidParameter(`Tag.${i + 1}.Key`, 'repeats a key');
    seen.add(key);
    if ((t.Value ?? '').length > 128) throw new ApiError(400, 'InvalidTagValue.Malformed', `The specified tag value of "${key}" is not valid.`);
  });
  for (const img of images) {
    img.Tags ??= {};
    for (const t of tags) img.Tags[t.Key!] = t.Value ?? '';
  }
  region.images.changed();
  return { RequestId: ctx.requestId };
}

export function untagResources(ctx: ApiContext): ApiAnswer {
  const { region, images } = resources(ctx);
  const keys = ctx.params.list('TagKey');
  if (keys.length > 20) throw invalidParameter('TagKey', 'holds more than 20 keys');
  const all = ctx.params.bool('All', false);
  // All only counts when no TagKey.N is given; neither: nothing to remove.
  for (const img of images) {
    if (keys.length > 0) {
      for (const k of keys) if (img.Tags) delete img.Tags[k];
    } else if (all) {
      img.Tags = {};
    }
  }
  region.images.changed();
  return { RequestId: ctx.requestId };
}
