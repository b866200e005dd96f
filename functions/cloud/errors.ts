/**
 * One error type for everything that can go wrong talking to the cloud, whatever layer it came
 * from (an API error body, a socket reset, a timeout, a body that is not JSON), so callers decide
 * on `errorClass` and `code` alone.
 */
import type { ActionName } from './actions.js';

/**
 * throttled: the cloud asked us to slow down (Throttling*); retry after a pause.
 * transient: 5xx, reset, timeout, non-JSON body; retry with backoff.
 * final: anything else (4xx business errors, auth); retrying cannot help.
 */
export type ErrorClass = 'throttled' | 'transient' | 'final';

export interface CloudErrorFields {
  readonly action: ActionName;
  readonly region: string;
  /** The API's error code (`ImageUsingByInstance`), or a transport code (`ECONNRESET`, `Timeout`, `MalformedResponse`). */
  readonly code: string;
  /** HTTP status, or 0 when no answer arrived. */
  readonly httpStatus: number;
  readonly requestId: string | null;
  readonly message: string;
  readonly errorClass: ErrorClass;
  /** Attempts made before giving up, including the first. */
  readonly attempts: number;
  /** The server's x-acs-retry-after, in milliseconds, if it sent one. */
  readonly retryAfterMs: number | null;
}

export class CloudError extends Error implements CloudErrorFields {
  readonly action: ActionName;
  readonly region: string;
  readonly code: string;
  readonly httpStatus: number;
  readonly requestId: string | null;
  readonly errorClass: ErrorClass;
  readonly attempts: number;
  readonly retryAfterMs: number | null;

  constructor(fields: CloudErrorFields) {
    super(fields.message);
    this.name = 'CloudError';
    this.action = fields.action;
    this.region = fields.region;
    this.code = fields.code;
    this.httpStatus = fields.httpStatus;
    this.requestId = fields.requestId;
    this.errorClass = fields.errorClass;
    this.attempts = fields.attempts;
    this.retryAfterMs = fields.retryAfterMs;
  }

  /** A copy with another attempt count (the retry loop knows it, the normaliser does not). */
  withAttempts(attempts: number): CloudError {
    return new CloudError({ ...this.fields(), attempts });
  }

  fields(): CloudErrorFields {
    return {
      action: this.action,
      region: this.region,
      code: this.code,
      httpStatus: this.httpStatus,
      requestId: this.requestId,
      message: this.message,
      errorClass: this.errorClass,
      attempts: this.attempts,
      retryAfterMs: this.retryAfterMs,
    };
  }
}

export function isCloudError(e: unknown): e is CloudError {
  return e instanceof CloudError;
}

/** What an outcome records of anything thrown: the API's code, status and request ID when it is a CloudError. */
export function errorFields(e: unknown): { code: string; httpStatus: number | null; requestId: string | null; message: string } {
  if (isCloudError(e)) return { code: e.code, httpStatus: e.httpStatus, requestId: e.requestId, message: e.message };
  return { code: 'UnexpectedError', httpStatus: null, requestId: null, message: e instanceof Error ? e.message : String(e) };
}
