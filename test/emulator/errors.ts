/**
 * An API error answer. Handlers throw it; the server turns it into the documented body
 * `{RequestId, HostId, Code, Message, Recommend}` with this HTTP status.
 */
import type { Product } from './fleet.js';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers, e.g. x-acs-retry-after on Throttling. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const missingParameter = (name: string): ApiError =>
  new ApiError(400, 'MissingParameter', `The input parameter "${name}" that is mandatory for processing this request is not supplied.`);

export const invalidParameter = (name: string, why = 'is not valid'): ApiError =>
  new ApiError(400, 'InvalidParameter', `The specified parameter "${name}" ${why}.`);

export const THROTTLING_MESSAGE = 'Request was denied due to request throttling.';

export function throttling(retryAfterMs: number): ApiError {
  const ms = Math.max(1, Math.ceil(retryAfterMs));
  return new ApiError(400, 'Throttling', THROTTLING_MESSAGE, { 'x-acs-retry-after': String(ms) });
}

/** Product code as the Recommend link and the SDK name it. */
export const PRODUCT_CODE: Record<Product, string> = {
  ecs: 'Ecs',
  ehpc: 'EHPC',
  ehpcinstant: 'EhpcInstant',
  appstream: 'appstream-center',
  sts: 'Sts',
  ess: 'Ess',
};

export function errorBody(e: ApiError, requestId: string, hostId: string, product: Product | null): Record<string, string> {
  const p = product ? PRODUCT_CODE[product] : '';
  return {
    RequestId: requestId,
    HostId: hostId,
    Code: e.code,
    Message: e.message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(e.code)}&product=${encodeURIComponent(p)}`,
  };
}
