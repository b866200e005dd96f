/**
 * What the client reports as it works, for the audit log and the metrics. Events never carry
 * parameters, headers or messages from the wire: nothing in them can hold a secret.
 */
import type { ActionName } from './actions.js';
import type { ErrorClass } from './errors.js';
import type { RateChangeReason } from './rate-limit.js';

export type ClientEvent =
  /** One HTTP exchange, whatever its outcome. `httpStatus` is 0 when no answer arrived. */
  | {
      readonly type: 'attempt';
      readonly action: ActionName;
      readonly region: string;
      readonly attempt: number;
      readonly outcome: 'ok' | ErrorClass;
      readonly httpStatus: number;
      readonly code: string | null;
      readonly durationMs: number;
      readonly requestId: string | null;
    }
  /** A failed attempt will be repeated after `delayMs`; `attempt` is the one about to start. */
  | {
      readonly type: 'retry';
      readonly action: ActionName;
      readonly region: string;
      readonly attempt: number;
      readonly delayMs: number;
      readonly errorClass: ErrorClass;
      readonly code: string;
    }
  /** The cloud answered Throttling. */
  | { readonly type: 'throttle'; readonly action: ActionName; readonly region: string; readonly retryAfterMs: number | null }
  /** The adaptive limiter changed the rate of one action in one region. */
  | { readonly type: 'rate'; readonly action: ActionName; readonly region: string; readonly rps: number; readonly reason: RateChangeReason }
  /** The client refused the call itself (dry-run, region, deadline); `attempts` were made before. */
  | {
      readonly type: 'refused';
      readonly action: ActionName;
      readonly region: string;
      readonly code: 'DryRunViolation' | 'UnsupportedRegion' | 'DeadlineExceeded' | 'UnknownAction';
      readonly attempts: number;
    };

export interface ClientStats {
  /** HTTP attempts per action, retries included. */
  readonly callsByAction: Partial<Record<ActionName, number>>;
  /** HTTP attempts in all. */
  readonly calls: number;
  /** Attempts answered with Throttling. */
  readonly throttled: number;
  readonly retries: number;
  /** Calls that ended in a CloudError (after retries), refusals included. */
  readonly failures: number;
}
