/**
 * One signed RPC call through @alicloud/openapi-client, and nothing else: no retries, no limits,
 * no interpretation of errors. It never throws; it reports what happened on the wire so classify.ts
 * can decide. Facts: ../shared/reference/openapi-client.md §2.1-2.4.
 */
import OpenApiModule, * as $OpenApi from '@alicloud/openapi-client';
import * as $Util from '@alicloud/tea-util';
import type { ActionSpec } from './actions.js';
import { cjsDefault } from './cjs-interop.js';
import { credentialConfig, type CredentialConfig, type CredentialSource } from './credentials.js';
import type { Endpoint } from './endpoints.js';
import type { WireParams } from './request.js';
import { withResponseMeta, type ResponseMeta } from './response-meta.js';

const OpenApi = cjsDefault(OpenApiModule);
type OpenApiClient = InstanceType<typeof OpenApi>;

export interface WireRequest {
  readonly spec: ActionSpec;
  readonly endpoint: Endpoint;
  readonly params: WireParams;
}

export type WireResult =
  | ({ readonly ok: true; readonly body: unknown } & ResponseMeta)
  | ({ readonly ok: false; readonly error: unknown } & ResponseMeta);

/** Sends one request; resolves with what came back, never rejects. The seam unit tests replace. */
export type Transport = (req: WireRequest) => Promise<WireResult>;

export interface OpenApiTransportOptions {
  readonly credentials: CredentialSource;
  readonly signatureAlgorithm: 'v3' | 'v2';
  readonly readTimeoutMs: number;
  readonly connectTimeoutMs: number;
}

export class OpenApiTransport {
  private readonly clients = new Map<string, OpenApiClient>();
  private credentials: CredentialConfig;

  constructor(private readonly opts: OpenApiTransportOptions) {
    this.credentials = credentialConfig(opts.credentials);
  }

  /** After the chain failed to produce a key: a fresh chain and fresh clients for the next call. */
  resetCredentials(): void {
    this.credentials = credentialConfig(this.opts.credentials);
    this.clients.clear();
  }

  readonly send: Transport = async (req) => {
    const client = this.clientFor(req.endpoint);
    const { spec, endpoint, params } = req;
    const apiParams = new $OpenApi.Params({
      action: spec.action,
      version: spec.version,
      protocol: endpoint.protocol.toUpperCase(),
      pathname: '/',
      method: spec.method, // upper-case: it is signed verbatim, 'post' fails the signature
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
    const request = new $OpenApi.OpenApiRequest(params.body ? { query: params.query, body: params.body } : { query: params.query });
    // Both timeouts: connectTimeout doubles as the socket idle timeout while the answer is awaited.
    const runtime = new $Util.RuntimeOptions({ readTimeout: this.opts.readTimeoutMs, connectTimeout: this.opts.connectTimeoutMs });
    const outcome = await withResponseMeta(endpoint.host, () => client.callApi(apiParams, request, runtime));
    if (!outcome.ok) return { ok: false, error: outcome.error, ...outcome.meta };
    const response = outcome.value as { statusCode?: number; headers?: Record<string, string>; body?: unknown };
    return {
      ok: true,
      body: response.body,
      httpStatus: response.statusCode ?? outcome.meta.httpStatus,
      headers: response.headers ?? outcome.meta.headers,
    };
  };

  /** One library client per host: it holds the endpoint, and the keep-alive pool is process-wide anyway. */
  private clientFor(endpoint: Endpoint): OpenApiClient {
    const key = `${endpoint.protocol}://${endpoint.host}`;
    let client = this.clients.get(key);
    if (client === undefined) {
      client = new OpenApi(
        new $OpenApi.Config({
          ...this.credentials,
          endpoint: endpoint.host,
          protocol: endpoint.protocol, // config.protocol wins over params.protocol
          signatureAlgorithm: this.opts.signatureAlgorithm === 'v2' ? 'v2' : undefined,
          readTimeout: this.opts.readTimeoutMs,
          connectTimeout: this.opts.connectTimeoutMs,
          userAgent: 'image-gc',
        }),
      );
      this.clients.set(key, client);
    }
    return client;
  }
}
