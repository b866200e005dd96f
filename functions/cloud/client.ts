/**
 * The CloudApi the rest of image-gc uses: one call by action name and region, signed, paced,
 * retried and normalised to CloudError. The pieces live next door; this file only orders them:
 * refuse what must not be sent, take a token, take a slot, send, classify, maybe retry.
 */
import { ACTIONS, type ActionName, type ActionSpec } from './actions.js';
import type { ApiBody, ApiParams, CloudApi } from './api.js';
import { classifyResult, refusal, type CallContext } from './classify.js';
import { secretValues, type CredentialSource } from './credentials.js';
import { parseEndpointOverride, resolveEndpoint, type Endpoint, type Network } from './endpoints.js';
import { CloudError } from './errors.js';
import type { ClientEvent, ClientStats } from './events.js';
import { RateLimits } from './rate-limit.js';
import { buildWireParams } from './request.js';
import { DEFAULT_RETRY_POLICY, decideRetry, type RetryPolicy } from './retry.js';
import { OpenApiTransport, type Transport } from './transport.js';

export type { CredentialSource } from './credentials.js';
export type { ClientEvent, ClientStats } from './events.js';

export interface CloudClientOptions {
  credentials: CredentialSource;
  /** One URL for every product: 'http://127.0.0.1:PORT' (the emulator) or 'https://host'. */
  endpoint?: string;
  /** 'vpc': '<product>-vpc.<region>.aliyuncs.com' (appstream: appstream-center.vpc-proxy.aliyuncs.com). */
  network?: Network;
  /** 'v3' (ACS3-HMAC-SHA256, the default) or 'v2' (legacy HMAC-SHA1 query signature). */
  signatureAlgorithm?: 'v3' | 'v2';
  readTimeoutMs?: number;
  /** Raised to readTimeoutMs if lower: the library uses it as the idle timeout while the answer is awaited. */
  connectTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** requestsPerSecond: per action per region (a maximum; the limiter adapts below it). concurrency: in flight per region. */
  rate?: { requestsPerSecond?: number; concurrency?: number };
  /** Mutating actions are refused before anything is sent: defence in depth behind the planner. */
  dryRun?: boolean;
  /** Epoch ms: no attempt starts after it. */
  deadline?: number;
  onEvent?: (e: ClientEvent) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Replaces openapi-client (unit tests). */
  transport?: Transport;
}

export const DEFAULT_READ_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUESTS_PER_SECOND = 5;
export const DEFAULT_CONCURRENCY = 4;

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface MutableStats {
  callsByAction: Partial<Record<ActionName, number>>;
  calls: number;
  throttled: number;
  retries: number;
  failures: number;
}

export class CloudClient implements CloudApi {
  private readonly transport: Transport;
  private readonly openApi: OpenApiTransport | null;
  private readonly limits: RateLimits;
  private readonly retryPolicy: RetryPolicy;
  private readonly override: Endpoint | undefined;
  private readonly secrets: string[];
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly counters: MutableStats = { callsByAction: {}, calls: 0, throttled: 0, retries: 0, failures: 0 };

  constructor(private readonly opts: CloudClientOptions) {
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? realSleep;
    this.random = opts.random ?? Math.random;
    this.secrets = secretValues(opts.credentials);
    this.override = opts.endpoint !== undefined ? parseEndpointOverride(opts.endpoint) : undefined;
    this.retryPolicy = { ...DEFAULT_RETRY_POLICY, ...definedOnly(opts.retry ?? {}) };
    if (opts.transport !== undefined) {
      this.transport = opts.transport;
      this.openApi = null;
    } else {
      const readTimeoutMs = opts.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
      this.openApi = new OpenApiTransport({
        credentials: opts.credentials,
        signatureAlgorithm: opts.signatureAlgorithm ?? 'v3',
        readTimeoutMs,
        connectTimeoutMs: Math.max(opts.connectTimeoutMs ?? readTimeoutMs, readTimeoutMs),
      });
      this.transport = this.openApi.send;
    }
    this.limits = new RateLimits({
      requestsPerSecond: opts.rate?.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND,
      concurrency: opts.rate?.concurrency ?? DEFAULT_CONCURRENCY,
      now: this.now,
      sleep: this.sleep,
      onRateChange: (region, action, rps, reason) =>
        this.emit({ type: 'rate', action: action as ActionName, region, rps: Math.round(rps * 100) / 100, reason }),
    });
  }

  async call(action: ActionName, region: string, params: ApiParams): Promise<ApiBody> {
    const ctx: CallContext = { action, region };
    const spec: ActionSpec | undefined = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
    if (spec === undefined) throw this.refuse(ctx, 'UnknownAction', 'not in the action table');
    if (this.opts.dryRun === true && spec.mutating) {
      throw this.refuse(ctx, 'DryRunViolation', 'a mutating call in a dry run; nothing was sent');
    }
    const endpoint = resolveEndpoint(spec.product, region, { ...(this.override ? { override: this.override } : {}), ...(this.opts.network ? { network: this.opts.network } : {}) });
    if (endpoint === null) throw this.refuse(ctx, 'UnsupportedRegion', `${spec.product} has no endpoint in this region; nothing was sent`);
    const request = { spec, endpoint, params: buildWireParams(spec, region, params) };

    const bucket = this.limits.bucket(region, action);
    const gate = this.limits.gate(region);
    const firstAttemptAt = this.now();
    let last: CloudError | undefined;
    for (let attempt = 1; ; attempt++) {
      if (this.pastDeadline()) throw this.deadlineExceeded(ctx, attempt - 1, last);
      const sentAt = await bucket.acquire();
      const outcome = await gate(async () => {
        // Waiting for the token or the slot may have crossed the deadline.
        if (this.pastDeadline()) return null;
        const started = this.now();
        const result = await this.transport(request);
        return { result, durationMs: this.now() - started };
      });
      if (outcome === null) throw this.deadlineExceeded(ctx, attempt - 1, last);

      const classified = classifyResult(outcome.result, ctx, this.secrets);
      this.countAttempt(action);
      if (classified.ok) {
        bucket.onSuccess();
        this.emitAttempt(ctx, attempt, outcome.durationMs, { outcome: 'ok', httpStatus: outcome.result.httpStatus, code: null, requestId: requestIdOf(classified.body, outcome.result.headers) });
        return classified.body;
      }

      const error = classified.error;
      last = error;
      if (error.errorClass === 'throttled') {
        this.counters.throttled++;
        bucket.onThrottle(sentAt, error.retryAfterMs);
        this.emit({ type: 'throttle', action, region, retryAfterMs: error.retryAfterMs });
      } else {
        bucket.onSuccess();
      }
      if (error.code === 'CredentialsUnavailable') this.openApi?.resetCredentials();
      this.emitAttempt(ctx, attempt, outcome.durationMs, { outcome: error.errorClass, httpStatus: error.httpStatus, code: error.code, requestId: error.requestId });

      const decision = decideRetry({
        error,
        attempts: attempt,
        firstAttemptAt,
        now: this.now(),
        idempotent: spec.idempotent,
        policy: this.retryPolicy,
        deadline: this.opts.deadline,
        random: this.random,
      });
      if (decision.kind === 'deadline') throw this.deadlineExceeded(ctx, attempt, last);
      if (decision.kind === 'stop') {
        this.counters.failures++;
        throw error.withAttempts(attempt);
      }
      this.counters.retries++;
      this.emit({ type: 'retry', action, region, attempt: attempt + 1, delayMs: decision.delayMs, errorClass: error.errorClass, code: error.code });
      await this.sleep(decision.delayMs);
    }
  }

  stats(): ClientStats {
    return { ...this.counters, callsByAction: { ...this.counters.callsByAction } };
  }

  private pastDeadline(): boolean {
    return this.opts.deadline !== undefined && this.now() > this.opts.deadline;
  }

  private deadlineExceeded(ctx: CallContext, attempts: number, last: CloudError | undefined): CloudError {
    const why = last ? `after ${attempts} attempt(s); the last failed with ${last.code}` : 'before the first attempt';
    return this.refuse(ctx, 'DeadlineExceeded', `the run's deadline passed ${why}`, attempts, last);
  }

  private refuse(ctx: CallContext, code: 'DryRunViolation' | 'UnsupportedRegion' | 'DeadlineExceeded' | 'UnknownAction', message: string, attempts = 0, last?: CloudError): CloudError {
    this.counters.failures++;
    this.emit({ type: 'refused', action: ctx.action, region: ctx.region, code, attempts });
    return refusal(ctx, code, message, attempts, last);
  }

  private countAttempt(action: ActionName): void {
    this.counters.calls++;
    this.counters.callsByAction[action] = (this.counters.callsByAction[action] ?? 0) + 1;
  }

  private emitAttempt(
    ctx: CallContext,
    attempt: number,
    durationMs: number,
    fields: { outcome: 'ok' | CloudError['errorClass']; httpStatus: number; code: string | null; requestId: string | null },
  ): void {
    this.emit({ type: 'attempt', action: ctx.action, region: ctx.region, attempt, durationMs, ...fields });
  }

  /** A listener that throws must not turn a successful call into a failure. */
  private emit(event: ClientEvent): void {
    try {
      this.opts.onEvent?.(event);
    } catch {
      // ignored on purpose
    }
  }
}

function requestIdOf(body: ApiBody, headers: Readonly<Record<string, string>>): string | null {
  const id = body['RequestId'];
  return typeof id === 'string' ? id : (headers['x-acs-request-id'] ?? null);
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function createCloudClient(options: CloudClientOptions): CloudClient {
  return new CloudClient(options);
}
