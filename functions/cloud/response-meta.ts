/**
 * Recovers the HTTP status and headers of the answer to a failed call. openapi-client drops them
 * when it throws (its ResponseError keeps only the parsed body), yet `x-acs-retry-after` and the
 * status of a non-JSON error page live there. Node publishes every outgoing request on the
 * `http.client.request.start` diagnostics channel, synchronously inside the caller's async context,
 * so the request (and its `res` once answered) can be tied to the call that made it without
 * patching the library. Survives bundling, unlike reaching into tea-typescript's exports.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import diagnosticsChannel from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';

export interface ResponseMeta {
  /** 0 when no answer arrived (reset, refused, timeout before headers). */
  readonly httpStatus: number;
  readonly headers: Readonly<Record<string, string>>;
}

interface Sink {
  readonly host: string;
  request?: ClientRequest;
}

const sinks = new AsyncLocalStorage<Sink>();
let subscribed = false;

function onRequestStart(message: unknown): void {
  const sink = sinks.getStore();
  if (sink === undefined) return;
  const request = (message as { request?: ClientRequest }).request;
  // The default credential chain may make requests of its own (IMDS, credentials URI) in the same context.
  if (request !== undefined && request.getHeader('host') === sink.host) sink.request = request;
}

function ensureSubscribed(): void {
  if (subscribed) return;
  diagnosticsChannel.subscribe('http.client.request.start', onRequestStart);
  subscribed = true;
}

function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * Runs `fn` (one library call to `host`) and returns its outcome with the answer's status and
 * headers, whether it resolved or threw.
 */
export async function withResponseMeta<T>(
  host: string,
  fn: () => Promise<T>,
): Promise<{ ok: true; value: T; meta: ResponseMeta } | { ok: false; error: unknown; meta: ResponseMeta }> {
  ensureSubscribed();
  const sink: Sink = { host };
  const meta = (): ResponseMeta => {
    const res = (sink.request as (ClientRequest & { res?: IncomingMessage | null }) | undefined)?.res;
    return res ? { httpStatus: res.statusCode ?? 0, headers: flattenHeaders(res.headers) } : { httpStatus: 0, headers: {} };
  };
  try {
    const value = await sinks.run(sink, fn);
    return { ok: true, value, meta: meta() };
  } catch (error) {
    return { ok: false, error, meta: meta() };
  }
}
