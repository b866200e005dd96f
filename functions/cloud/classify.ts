/**
 * Normalises whatever a call produced into a JSON body or one CloudError with a class the retry
 * loop can act on. The shapes come from reading the library (openapi-client doRequest/doRPCRequest,
 * tea-typescript ResponseError, httpx): ../shared/reference/openapi-client.md §2.4.2 and
 * alibaba-openapi.md §4.
 */
import { redactSecrets } from './redact.js';
import type { ActionName } from './actions.js';
import type { ApiBody } from './api.js';
import { CloudError, type ErrorClass } from './errors.js';
import type { WireResult } from './transport.js';

export interface CallContext {
  readonly action: ActionName;
  readonly region: string;
}

/** Socket-level failures: no answer, or half of one. Safe to retry for idempotent calls. */
const NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN',
  'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'UND_ERR_SOCKET',
]);

/** Codes that mean "the service failed, not your request", whatever HTTP status carries them. */
const TRANSIENT_CODES = new Set(['ServiceUnavailable', 'InternalError', 'InternalServerError', 'UnknownError']);

/** The server-side retry cap the SDKs use (DARA MAX_DELAY_TIME): a larger hint is a bug, not advice. */
const MAX_RETRY_AFTER_MS = 120_000;

/**
 * The class of an API error code. Throttling comes first: ECS sends it as HTTP 400. InternalError
 * is transient even as appstream's documented HTTP 400.
 */
export function classifyCode(code: string, httpStatus: number): ErrorClass {
  if (code.includes('Throttling')) return 'throttled';
  if (TRANSIENT_CODES.has(code)) return 'transient';
  if (httpStatus >= 500) return 'transient';
  return 'final';
}

/** `x-acs-retry-after` is in milliseconds (alibaba-openapi.md §4.2). */
export function parseRetryAfter(value: string | undefined): number | null {
  if (value === undefined || value.trim() === '') return null;
  const ms = Number(value);
  if (!Number.isFinite(ms) || ms < 0) return null;
  return Math.min(Math.ceil(ms), MAX_RETRY_AFTER_MS);
}

/**
 * Removes anything secret from a message. The library appends the request URL to network errors
 * (`socket hang upPOST http://host/?…AccessKeyId=…&SecurityToken=… failed.`; a read timeout names
 * the path with its query), and with V2 signatures that query holds the key id, STS token and
 * signature. Every query string goes, then any known secret value anywhere.
 */
export function sanitizeMessage(message: string, secrets: readonly string[] = []): string {
  const out = redactSecrets(message.replace(/\?(?=[^\s]*=)[^\s]*/g, ''), secrets);
  return out.length > 500 ? `${out.slice(0, 500)}…` : out;
}

interface Facts {
  code: string;
  httpStatus: number;
  requestId: string | null;
  message: string;
  errorClass: ErrorClass;
}

function str(value: unknown): string | null {
  if (typeof value === 'string' && value !== '' && value !== 'undefined') return value;
  if (typeof value === 'number') return String(value);
  return null;
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** Reads a library exception; `httpStatus` is the answer's, where one arrived (0 otherwise). */
function factsOfException(error: unknown, httpStatus: number): Facts {
  const e = (asRecord(error) ?? {}) as Record<string, unknown>;
  const name = str(e['name']) ?? '';
  const rawMessage = str(e['message']) ?? String(error);
  const errCode = str(e['code']);

  if (errCode !== null && NETWORK_CODES.has(errCode)) {
    return { code: errCode, httpStatus: 0, requestId: null, message: rawMessage, errorClass: 'transient' };
  }
  if (name === 'RequestTimeoutError' || name === 'RequestTimeout') {
    return { code: 'Timeout', httpStatus: 0, requestId: null, message: rawMessage, errorClass: 'transient' };
  }
  if (/socket hang up/i.test(rawMessage)) {
    return { code: 'ECONNRESET', httpStatus: 0, requestId: null, message: rawMessage, errorClass: 'transient' };
  }
  // A 502 page from a load balancer, or a 200 cut short: the library's JSON.parse throws raw.
  if (error instanceof SyntaxError || name === 'SyntaxError' || rawMessage === 'The value is not a object') {
    return { code: 'MalformedResponse', httpStatus, requestId: null, message: `the answer is not a JSON object: ${rawMessage}`, errorClass: 'transient' };
  }
  // tea-typescript ResponseError: code = body Code, data = the whole error body plus statusCode.
  // A body without Code gives the string 'undefined' (the library template-formats it).
  const data = asRecord(e['data']);
  if (typeof e['code'] === 'string' && (data !== null || errCode === 'InvalidCredentials')) {
    const status = typeof e['statusCode'] === 'number' ? e['statusCode'] : httpStatus;
    const code = errCode ?? `HTTP${status}`;
    const message = str(data?.['Message']) ?? str(data?.['message']) ?? rawMessage;
    const requestId = str(data?.['RequestId']) ?? str(data?.['requestId']);
    return { code, httpStatus: status, requestId, message, errorClass: classifyCode(code, status) };
  }
  if (/unable to get credentials|credential/i.test(rawMessage) && httpStatus === 0) {
    return { code: 'CredentialsUnavailable', httpStatus: 0, requestId: null, message: rawMessage, errorClass: 'final' };
  }
  // TLS trouble (EPROTO, certificate errors) and anything unforeseen: retrying the same thing cannot help.
  return { code: errCode ?? (name || 'Unexpected'), httpStatus, requestId: null, message: rawMessage, errorClass: 'final' };
}

/**
 * A successful HTTP answer can still be a refusal: appstream and E-HPC answer 200 with
 * `Success: false` and the reason in `Code`.
 */
function factsOfBody(body: unknown, httpStatus: number): Facts | null {
  const record = asRecord(body);
  if (record === null) {
    return { code: 'MalformedResponse', httpStatus, requestId: null, message: 'the answer is not a JSON object', errorClass: 'transient' };
  }
  const success = record['Success'];
  if (success !== false && success !== 'false') return null;
  const code = str(record['Code']) ?? str(record['code']) ?? 'Unsuccessful';
  const cls = classifyCode(code, httpStatus);
  return {
    code,
    httpStatus,
    requestId: str(record['RequestId']),
    message: str(record['Message']) ?? str(record['message']) ?? 'the API answered Success: false',
    // A business refusal inside a 200 stays final; only codes that name a service failure are retried.
    errorClass: cls,
  };
}

export type Classified = { readonly ok: true; readonly body: ApiBody } | { readonly ok: false; readonly error: CloudError };

/** Turns one wire result into a body or a CloudError (attempts = 1; the retry loop sets the count). */
export function classifyResult(result: WireResult, ctx: CallContext, secrets: readonly string[] = []): Classified {
  const facts = result.ok ? factsOfBody(result.body, result.httpStatus) : factsOfException(result.error, result.httpStatus);
  if (facts === null) return { ok: true, body: result.ok ? (result.body as ApiBody) : {} };
  const requestId = facts.requestId ?? result.headers['x-acs-request-id'] ?? null;
  const retryAfterMs = parseRetryAfter(result.headers['x-acs-retry-after']);
  const status = facts.httpStatus > 0 ? ` (HTTP ${facts.httpStatus})` : '';
  const error = new CloudError({
    action: ctx.action,
    region: ctx.region,
    code: facts.code,
    httpStatus: facts.httpStatus,
    requestId,
    message: sanitizeMessage(`${ctx.action} in ${ctx.region}: ${facts.code}${status}: ${facts.message}`, secrets),
    errorClass: facts.errorClass,
    attempts: 1,
    retryAfterMs,
  });
  return { ok: false, error };
}

/** An error raised by the client itself, before or instead of sending. */
export function refusal(ctx: CallContext, code: string, message: string, attempts = 0, last?: CloudError): CloudError {
  return new CloudError({
    action: ctx.action,
    region: ctx.region,
    code,
    httpStatus: last?.httpStatus ?? 0,
    requestId: last?.requestId ?? null,
    message: `${ctx.action} in ${ctx.region}: ${code}: ${message}`,
    errorClass: 'final',
    attempts,
    retryAfterMs: null,
  });
}
