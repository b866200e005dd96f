/**
 * Which host serves a product in a region. The generic openapi-client never resolves an endpoint
 * itself (it sends to `https://undefined/` when none is set), and `config.endpoint` must be
 * host[:port] with the scheme given separately, so this module returns exactly those two parts.
 * Facts: ../shared/reference/alibaba-openapi.md §3, openapi-client.md §2.3.
 */
import type { Product } from './actions.js';

export type Network = 'public' | 'vpc';

export interface Endpoint {
  /** host[:port], as openapi-client's `config.endpoint` wants it. */
  readonly host: string;
  readonly protocol: 'http' | 'https';
}

/** Host label per product: the SDKs' product id, except appstream whose host is appstream-center. */
const HOST_LABEL: Record<Product, string> = {
  ecs: 'ecs',
  ehpc: 'ehpc',
  ehpcinstant: 'ehpcinstant',
  appstream: 'appstream-center',
  // STS: sts.<region>.aliyuncs.com (sts-vpc.<region> in a VPC); sts.aliyuncs.com is the global alias.
  sts: 'sts',
  // Auto Scaling: ess.<region>.aliyuncs.com (ess-vpc.<region> in a VPC).
  ess: 'ess',
};

/** WUYING app streaming has two endpoints for the whole world; its images are multi-region. */
export const APPSTREAM_REGIONS: readonly string[] = ['cn-shanghai', 'ap-southeast-1'];

/** A region id as Alibaba spells them (cn-hangzhou, ap-southeast-1, cn-wuhan-lr); anything else could smuggle a host. */
const REGION_ID = /^[a-z]{2,}(?:-[a-z0-9]+)+$/;

export function isValidRegionId(region: string): boolean {
  return REGION_ID.test(region);
}

/**
 * Parses the one-URL override ('http://127.0.0.1:PORT', 'https://host'). Throws on anything with
 * a path, query or credentials: the client only ever talks to `/`, and a typo must not silently
 * send signed requests somewhere odd.
 */
export function parseEndpointOverride(url: string): Endpoint {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `https://${url}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    throw new Error(`endpoint override is not a URL: ${JSON.stringify(url)}`);
  }
  const protocol = parsed.protocol === 'http:' ? 'http' : parsed.protocol === 'https:' ? 'https' : null;
  if (protocol === null) throw new Error(`endpoint override must be http or https: ${JSON.stringify(url)}`);
  if ((parsed.pathname !== '/' && parsed.pathname !== '') || parsed.search !== '' || parsed.hash !== '' || parsed.username !== '' || parsed.password !== '') {
    throw new Error(`endpoint override must be scheme://host[:port] only: ${JSON.stringify(url)}`);
  }
  return { host: parsed.host, protocol };
}

export interface EndpointOptions {
  readonly override?: Endpoint;
  readonly network?: Network;
}

/**
 * The endpoint for `product` in `region`, or null when the product has no endpoint there (the
 * caller refuses without sending). The override replaces the host, never the region rules: an
 * appstream call outside its two regions is refused against the emulator too.
 */
export function resolveEndpoint(product: Product, region: string, opts: EndpointOptions = {}): Endpoint | null {
  if (!isValidRegionId(region)) return null;
  if (product === 'appstream' && !APPSTREAM_REGIONS.includes(region)) return null;
  if (opts.override !== undefined) return opts.override;
  const label = HOST_LABEL[product];
  if (opts.network === 'vpc') {
    const host = product === 'appstream' ? 'appstream-center.vpc-proxy.aliyuncs.com' : `${label}-vpc.${region}.aliyuncs.com`;
    return { host, protocol: 'https' };
  }
  return { host: `${label}.${region}.aliyuncs.com`, protocol: 'https' };
}
