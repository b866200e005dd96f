/**
 * What the rest of image-gc needs from the cloud: one call, by action name, in one region.
 * The client behind it signs, rate-limits, retries and normalises errors to CloudError.
 */
import type { ActionName } from './actions.js';

export type ApiParams = Readonly<Record<string, unknown>>;
export type ApiBody = Record<string, unknown>;

export interface CloudApi {
  /**
   * Calls `action` in `region` and resolves with the parsed JSON body.
   * Nested params (arrays, objects) are flattened the way the SDKs do (`Tag.1.Key`).
   * Rejects with CloudError only, after the retries the error class allows.
   */
  call(action: ActionName, region: string, params: ApiParams): Promise<ApiBody>;
}
