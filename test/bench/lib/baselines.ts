/**
 * What a user would write instead of image-gc: a script on the raw @alicloud/openapi-client
 * (no image-gc code at all), in two shapes.
 * - sequential: list, then DeleteImage one by one, no retries: Alibaba's own OOS cleanup
 *   template run at concurrency 1.
 * - unbounded: list, then every DeleteImage at once (Promise.all), no rate limit, no retries.
 * Both list with DescribeImages (own images, 100 a page) region by region first.
 */
import OpenApiModule, * as $OpenApi from '@alicloud/openapi-client';
import * as $Util from '@alicloud/tea-util';
import { KEY } from './fleets.js';

// The package is CommonJS: Node's ESM loader puts the class at .default, tsx may hand it over directly.
const OpenApi = ((OpenApiModule as unknown as { default?: unknown }).default ?? OpenApiModule) as typeof OpenApiModule.default;

export interface BaselineRun {
  readonly shape: 'sequential' | 'unbounded';
  readonly wallMs: number;
  readonly listMs: number;
  readonly listed: number;
  readonly deleted: number;
  readonly failed: number;
  /** Error codes of the failed deletions, counted. */
  readonly failures: Record<string, number>;
}

function rpc(action: string): $OpenApi.Params {
  return new $OpenApi.Params({
    action,
    version: '2014-05-26',
    protocol: 'HTTP',
    pathname: '/',
    method: 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  });
}

export async function runBaseline(shape: 'sequential' | 'unbounded', endpointUrl: string, regions: readonly string[]): Promise<BaselineRun> {
  const client = new OpenApi(new $OpenApi.Config({ ...KEY, endpoint: new URL(endpointUrl).host, protocol: 'http' }));
  const runtime = new $Util.RuntimeOptions({});
  const failures: Record<string, number> = {};
  let deleted = 0;
  let failed = 0;
  const t0 = performance.now();

  const ids: Array<{ region: string; id: string }> = [];
  for (const region of regions) {
    for (let page = 1; ; page++) {
      const res = (await client.callApi(
        rpc('DescribeImages'),
        new $OpenApi.OpenApiRequest({ query: { RegionId: region, ImageOwnerAlias: 'self', PageSize: '100', PageNumber: String(page) } }),
        runtime,
      )) as { body: { TotalCount: number; Images: { Image: Array<{ ImageId: string }> } } };
      const images = res.body.Images.Image;
      for (const image of images) ids.push({ region, id: image.ImageId });
      if (images.length < 100 || page * 100 >= res.body.TotalCount) break;
    }
  }
  const listMs = performance.now() - t0;

  const deleteOne = async ({ region, id }: { region: string; id: string }) => {
    try {
      await client.callApi(rpc('DeleteImage'), new $OpenApi.OpenApiRequest({ query: { RegionId: region, ImageId: id } }), runtime);
      deleted++;
    } catch (e) {
      failed++;
      const code = String((e as { code?: unknown }).code ?? (e as Error).name ?? 'Error');
      failures[code] = (failures[code] ?? 0) + 1;
    }
  };
  if (shape === 'sequential') {
    for (const item of ids) await deleteOne(item);
  } else {
    await Promise.all(ids.map(deleteOne));
  }
  return { shape, wallMs: performance.now() - t0, listMs, listed: ids.length, deleted, failed, failures };
}
