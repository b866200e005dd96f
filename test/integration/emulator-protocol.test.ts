/**
 * The emulator's wire protocol against the project's real client library, @alicloud/openapi-client
 * 0.4.15: both signature schemes, GET and form-body POST, STS, every authentication refusal, replay,
 * routing, the error envelope, quotas, every fault kind, latency, the control paths and the CLI.
 * Raw requests (for replay and headers) are signed with the official @alicloud/openapi-util, so the
 * emulator's own signing code is never checking itself.
 */
import OpenApiMod, * as $OpenApi from '@alicloud/openapi-client';
import OpenApiUtilMod from '@alicloud/openapi-util';
import * as $Util from '@alicloud/tea-util';
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'node:querystring';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ACTIONS, type ActionName } from '../../functions/cloud/actions.js';
import { startEmulator, type Emulator, type Fleet } from '../emulator/index.js';

// Native Node ESM puts the CJS classes at `.default`; vitest's interop may hand over the class itself.
const OpenApi: typeof OpenApiMod.default = (OpenApiMod as unknown as { default?: typeof OpenApiMod.default }).default ?? (OpenApiMod as unknown as typeof OpenApiMod.default);
const OpenApiUtil: typeof OpenApiUtilMod.default = (OpenApiUtilMod as unknown as { default?: typeof OpenApiUtilMod.default }).default ?? (OpenApiUtilMod as unknown as typeof OpenApiUtilMod.default);

const R = 'cn-hangzhou';

const baseFleet = (): Fleet => ({
  credentials: [
    { accessKeyId: 'testid', accessKeySecret: 'testsecret' },
    { accessKeyId: 'STS.tmpid', accessKeySecret: 'stssecret', securityToken: 'sts-token-1' },
  ],
  regions: {
    [R]: {
      images: [
        { ImageId: 'm-hz0001', ImageName: 'hpc-1', CreationTime: '2026-01-01T00:00:00Z', ehpc: { osTag: 'CentOS_7.2_64', instantRegistered: true } },
        { ImageId: 'm-hz0002', ImageName: 'hpc-2', CreationTime: '2026-01-02T00:00:00Z', ehpc: { osTag: 'CentOS_7.6_64' } },
        ...Array.from({ length: 10 }, (_, i) => ({ ImageId: `m-del${i}`, CreationTime: '2025-06-01T00:00:00Z', Status: 'CreateFailed' as const })),
      ],
    },
  },
  wuying: {
    images: Array.from({ length: 6 }, (_, i) => ({ ImageId: `imgc-${i}`, GmtCreate: `2025-04-2${i} 15:13:57`, ImageType: 'User' })),
  },
});

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({ fleet: baseFleet() });
});

beforeEach(() => {
  emu.loadFleet(baseFleet());
});

afterAll(async () => {
  await emu.close();
});

// ------------------------------------------------------------------ clients

interface ClientOpts {
  v1?: boolean;
  id?: string;
  secret?: string;
  token?: string;
}

function client(o: ClientOpts = {}): InstanceType<typeof OpenApi> {
  return new OpenApi(new $OpenApi.Config({
    accessKeyId: o.id ?? 'testid',
    accessKeySecret: o.secret ?? 'testsecret',
    securityToken: o.token,
    endpoint: emu.endpoint,
    protocol: 'http',
    signatureAlgorithm: o.v1 ? 'v2' : undefined,
  }));
}

const fastRuntime = (): $Util.RuntimeOptions => new $Util.RuntimeOptions({ readTimeout: 1000, connectTimeout: 1000 });

/** Calls an action the way image-gc's client does: the method and parameter placement come from its action table. */
async function api(c: InstanceType<typeof OpenApi>, name: ActionName, params: Record<string, unknown>, runtime = fastRuntime()): Promise<{ statusCode: number; body: Record<string, unknown>; headers: Record<string, string> }> {
  const spec = ACTIONS[name];
  const flat = OpenApiUtil.query(params) as Record<string, string>;
  const inQuery = (k: string): boolean => spec.placement === 'query' || (('queryParams' in spec ? spec.queryParams : []) as readonly string[]).some((q) => k === q || k.startsWith(`${q}.`));
  const query = Object.fromEntries(Object.entries(flat).filter(([k]) => inQuery(k)));
  const body = spec.placement === 'form' ? Object.fromEntries(Object.entries(flat).filter(([k]) => !inQuery(k))) : undefined;
  const p = new $OpenApi.Params({
    action: spec.action, version: spec.version, protocol: 'HTTP', pathname: '/', method: spec.method,
    authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json',
  });
  return (await c.callApi(p, new $OpenApi.OpenApiRequest({ query, body }), runtime)) as { statusCode: number; body: Record<string, unknown>; headers: Record<string, string> };
}

interface CallError {
  code?: string;
  statusCode?: number;
  name?: string;
  message: string;
  data?: Record<string, unknown>;
}

async function apiError(p: Promise<unknown>): Promise<CallError> {
  try {
    await p;
  } catch (e) {
    return e as CallError;
  }
  throw new Error('expected the call to fail');
}

// ------------------------------------------------------------------ raw requests

interface RawOpts {
  action: string;
  version: string;
  method?: 'GET' | 'POST';
  query?: Record<string, string>;
  body?: string;
  id?: string;
  secret?: string;
  date?: string;
  nonce?: string;
  /** Signed extra headers. */
  signed?: Record<string, string>;
  /** Added after signing. */
  unsigned?: Record<string, string>;
  /** Hash this instead of the real body (a tampered payload). */
  hashOf?: string;
}

interface Raw {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

const now8601 = (d = new Date()): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

function signedRaw(o: RawOpts, target: Emulator = emu): Raw {
  const method = o.method ?? 'POST';
  const body = o.body ?? '';
  const query = o.query ?? {};
  const headers: Record<string, string> = {
    host: target.endpoint,
    'x-acs-action': o.action,
    'x-acs-version': o.version,
    'x-acs-date': o.date ?? now8601(),
    'x-acs-signature-nonce': o.nonce ?? randomUUID(),
    'x-acs-content-sha256': sha256(o.hashOf ?? body),
    ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    ...o.signed,
  };
  headers.Authorization = OpenApiUtil.getAuthorization(
    { method, pathname: '/', query, headers } as never, 'ACS3-HMAC-SHA256', headers['x-acs-content-sha256']!, o.id ?? 'testid', o.secret ?? 'testsecret',
  );
  Object.assign(headers, o.unsigned);
  const qs = stringify(query);
  return { method, path: qs ? `/?${qs}` : '/', headers, body };
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: Record<string, unknown>;
}

function send(raw: { method: string; path: string; headers?: Record<string, string>; body?: string }, target: Emulator = emu): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: target.port, method: raw.method, path: raw.path, headers: raw.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          // not JSON (malformed fault)
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(raw.body ?? '');
  });
}

const control = (method: string, path: string, body?: unknown): Promise<RawResponse> =>
  send({ method, path, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? '' : JSON.stringify(body) });

// ------------------------------------------------------------------ tests

describe('signatures and transport with the real openapi-client', () => {
  it.each([['V3 (ACS3-HMAC-SHA256)', false], ['V1 (HMAC-SHA1, signatureAlgorithm v2)', true]])('%s: GET ListCustomImages', async (_, v1) => {
    const resp = await api(client({ v1 }), 'ehpc.ListCustomImages', { RegionId: R, ImageOwnerAlias: 'self' });
    expect(resp.statusCode).toBe(200);
    expect(resp.headers['content-type']).toBe('application/json;charset=utf-8');
    expect(resp.headers['x-acs-request-id']).toBe(resp.body.RequestId);
    const info = (resp.body.Images as { ImageInfo: Array<Record<string, unknown>> }).ImageInfo;
    expect(info.map((i) => i.ImageId)).toEqual(['m-hz0002', 'm-hz0001']);
    expect(info[0]).toMatchObject({ ImageName: 'hpc-2', Status: 'Available', ImageOwnerAlias: 'self', OsTag: { OsTag: 'CentOS_7.6_64', Platform: 'CentOS', Version: '7.6' } });
    expect(info[0]).not.toHaveProperty('CreationTime');
    const call = emu.calls().at(-1)!;
    expect(call).toMatchObject({ action: 'ListCustomImages', version: '2018-04-12', region: R, params: { RegionId: R, ImageOwnerAlias: 'self' }, status: 200, code: null, signature: v1 ? 'v1' : 'v3', product: 'ehpc' });
  });

  it.each([['V3', false], ['V1', true]])('%s: POST with a form body (appstream DeleteImage)', async (_, v1) => {
    const resp = await api(client({ v1 }), 'appstream.DeleteImage', { ImageId: 'imgc-1' });
    expect(resp.body).toMatchObject({ Data: true, Success: true, Code: '200', Message: 'successful' });
    expect(emu.state().wuying!.images!.map((w) => w.ImageId)).not.toContain('imgc-1');
    expect(emu.calls().at(-1)).toMatchObject({ action: 'DeleteImage', version: '2021-09-01', params: { ImageId: 'imgc-1' }, status: 200 });
  });

  it('signs awkward characters and nested params the same way as the client (V3 and V1)', async () => {
    for (const v1 of [false, true]) {
      const resp = await api(client({ v1 }), 'ecs.DescribeImages', { RegionId: R, ImageName: "测试 img*(1)!'~+&=", Tag: [{ Key: 'a b', Value: 'x/y' }] });
      expect(resp.body.TotalCount).toBe(0);
    }
    expect(emu.calls().map((c) => c.params['Tag.1.Key'])).toEqual(['a b', 'a b']);
  });

  it('STS: the right token is accepted on both schemes; a wrong or missing one is refused', async () => {
    for (const v1 of [false, true]) {
      const ok = await api(client({ v1, id: 'STS.tmpid', secret: 'stssecret', token: 'sts-token-1' }), 'ehpc.ListCustomImages', { RegionId: R });
      expect(ok.statusCode).toBe(200);
      const wrong = await apiError(api(client({ v1, id: 'STS.tmpid', secret: 'stssecret', token: 'other' }), 'ehpc.ListCustomImages', { RegionId: R }));
      expect([wrong.code, wrong.statusCode]).toEqual(['InvalidSecurityToken.Mismatch', 400]);
      const missing = await apiError(api(client({ v1, id: 'STS.tmpid', secret: 'stssecret' }), 'ehpc.ListCustomImages', { RegionId: R }));
      expect([missing.code, missing.statusCode]).toEqual(['InvalidSecurityToken.Mismatch', 400]);
    }
  });

  it('wrong secret → 400 SignatureDoesNotMatch; unknown key → 404 InvalidAccessKeyId.NotFound (both schemes)', async () => {
    for (const v1 of [false, true]) {
      const bad = await apiError(api(client({ v1, secret: 'nope' }), 'ecs.DescribeImages', { RegionId: R }));
      expect([bad.code, bad.statusCode]).toEqual(['SignatureDoesNotMatch', 400]);
      const unknown = await apiError(api(client({ v1, id: 'nobody' }), 'ecs.DescribeImages', { RegionId: R }));
      expect([unknown.code, unknown.statusCode]).toEqual(['InvalidAccessKeyId.NotFound', 404]);
    }
    expect(emu.calls().map((c) => c.code)).toEqual(['SignatureDoesNotMatch', 'InvalidAccessKeyId.NotFound', 'SignatureDoesNotMatch', 'InvalidAccessKeyId.NotFound']);
  });

  it('the error body is {RequestId, HostId, Code, Message, Recommend}', async () => {
    const e = await apiError(api(client(), 'ecs.DeleteImage', { RegionId: R, ImageId: 'm-nope' }));
    expect(Object.keys(e.data!).filter((k) => k !== 'statusCode').sort()).toEqual(['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
    expect(e.data).toMatchObject({
      HostId: emu.endpoint,
      Code: 'InvalidImageId.NotFound',
      Message: 'The specified ImageId does not exist.',
      Recommend: 'https://api.aliyun.com/troubleshoot?q=InvalidImageId.NotFound&product=Ecs',
    });
    expect(e.data!.RequestId).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
  });
});

describe('authentication details (raw requests signed by the official OpenApiUtil)', () => {
  const listCustomImages = { action: 'ListCustomImages', version: '2018-04-12', method: 'GET' as const, query: { RegionId: R } };

  it('a replayed request (same nonce) is refused with SignatureNonceUsed', async () => {
    const raw = signedRaw(listCustomImages);
    expect((await send(raw)).status).toBe(200);
    const again = await send(raw);
    expect([again.status, again.json.Code]).toEqual([400, 'SignatureNonceUsed']);
  });

  it('x-acs-date more than 15 minutes off → IllegalTimestamp', async () => {
    const old = await send(signedRaw({ ...listCustomImages, date: now8601(new Date(Date.now() - 16 * 60_000)) }));
    expect([old.status, old.json.Code]).toEqual([400, 'IllegalTimestamp']);
    const nearly = await send(signedRaw({ ...listCustomImages, date: now8601(new Date(Date.now() + 14 * 60_000)) }));
    expect(nearly.status).toBe(200);
  });

  it('a body that does not match x-acs-content-sha256 → InvalidContentSha256', async () => {
    const r = await send(signedRaw({ action: 'DeleteImage', version: '2021-09-01', body: 'ImageId=imgc-2', hashOf: 'ImageId=imgc-3' }));
    expect([r.status, r.json.Code]).toEqual([400, 'InvalidContentSha256']);
    expect(emu.state().wuying!.images!.map((w) => w.ImageId)).toContain('imgc-2');
  });

  it('an unsigned x-acs-* header, or a required header left out of SignedHeaders → IncompleteSignature', async () => {
    const unsigned = await send(signedRaw({ ...listCustomImages, unsigned: { 'x-acs-extra': '1' } }));
    expect([unsigned.status, unsigned.json.Code]).toEqual([400, 'IncompleteSignature']);
    expect(unsigned.json.Message).toContain('x-acs-extra');
    const raw = signedRaw(listCustomImages);
    raw.headers.Authorization = raw.headers.Authorization!.replace('x-acs-date;', '');
    const r = await send(raw);
    expect([r.status, r.json.Code]).toEqual([400, 'IncompleteSignature']);
    expect(r.json.Message).toContain('x-acs-date');
  });

  it('a signed unknown x-acs-* header is fine; an unsigned request is refused', async () => {
    expect((await send(signedRaw({ ...listCustomImages, signed: { 'x-acs-credentials-provider': 'static_ak' } }))).status).toBe(200);
    const bare = await send({ method: 'GET', path: '/?Action=ListCustomImages&Version=2018-04-12&RegionId=cn-hangzhou' });
    expect([bare.status, bare.json.Code]).toEqual([400, 'IncompleteSignature']);
  });
});

describe('routing', () => {
  it('unknown action or version → 404 InvalidAction.NotFound; logged', async () => {
    const c = client();
    const p = (action: string, version: string): $OpenApi.Params => new $OpenApi.Params({ action, version, protocol: 'HTTP', pathname: '/', method: 'POST', authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json' });
    for (const [action, version] of [['DescribeInstances', '2014-05-26'], ['DescribeImages', '2016-01-01']] as const) {
      const e = await apiError(c.callApi(p(action, version), new $OpenApi.OpenApiRequest({ query: { RegionId: R } }), fastRuntime()));
      expect([e.code, e.statusCode]).toEqual(['InvalidAction.NotFound', 404]);
    }
    expect(emu.calls().map((c2) => [c2.action, c2.status])).toEqual([['DescribeInstances', 404], ['DescribeImages', 404]]);
  });

  it('ECS without RegionId → 400 MissingParameter naming it', async () => {
    const e = await apiError(api(client(), 'ecs.DescribeImages', {}));
    expect([e.code, e.statusCode]).toEqual(['MissingParameter', 400]);
    expect(e.message).toContain('RegionId');
  });

  it('the region comes from a regional host name when RegionId is absent', async () => {
    const r = await send(signedRaw({ action: 'ListCustomImages', version: '2018-04-12', method: 'GET', signed: { host: 'ehpc.cn-hangzhou.aliyuncs.com' } }));
    expect(r.status).toBe(200);
    expect(emu.calls().at(-1)!.region).toBe(R);
    expect((r.json.Images as { ImageInfo: unknown[] }).ImageInfo).toHaveLength(2);
  });
});

describe('quota', () => {
  it('over the per-region, per-action quota → 400 Throttling with x-acs-retry-after; throttled calls are logged', async () => {
    emu.setBehaviour({ qps: { 'ehpc.ListCustomImages': 2, default: 1000 } });
    const statuses: number[] = [];
    let throttled: RawResponse | undefined;
    for (let i = 0; i < 3; i++) {
      const r = await send(signedRaw({ action: 'ListCustomImages', version: '2018-04-12', method: 'GET', query: { RegionId: R } }));
      statuses.push(r.status);
      if (r.status !== 200) throttled = r;
    }
    expect(statuses).toEqual([200, 200, 400]);
    expect(throttled!.json).toMatchObject({ Code: 'Throttling', Message: 'Request was denied due to request throttling.' });
    const after = Number(throttled!.headers['x-acs-retry-after']);
    expect(Number.isInteger(after) && after >= 1 && after <= 500).toBe(true);
    // Another region has its own bucket; another action is not limited by this key.
    expect((await send(signedRaw({ action: 'ListCustomImages', version: '2018-04-12', method: 'GET', query: { RegionId: 'cn-beijing' } }))).status).toBe(200);
    expect((await api(client(), 'ecs.DescribeImages', { RegionId: R })).statusCode).toBe(200);
    expect(emu.calls().filter((c) => c.code === 'Throttling')).toHaveLength(1);

    const e = await apiError(api(client(), 'ehpc.ListCustomImages', { RegionId: R }));
    expect([e.code, e.statusCode]).toEqual(['Throttling', 400]);
    await new Promise((r) => setTimeout(r, after + 20));
    expect((await api(client(), 'ehpc.ListCustomImages', { RegionId: R })).statusCode).toBe(200);
  });
});

describe('faults', () => {
  const faultOn = (kind: string, extra: Record<string, unknown> = {}): void =>
    emu.setBehaviour({ faults: { rate: 1, kinds: [kind as never], seed: 7, ...extra } });

  it('ServiceUnavailable → 503 JSON error; Throttling → 400 with x-acs-retry-after', async () => {
    faultOn('ServiceUnavailable');
    const e = await apiError(api(client(), 'ecs.DescribeImages', { RegionId: R }));
    expect([e.code, e.statusCode]).toEqual(['ServiceUnavailable', 503]);
    faultOn('Throttling', { throttleRetryAfterMs: 250 });
    const t = await send(signedRaw({ action: 'DescribeImages', version: '2014-05-26', query: { RegionId: R } }));
    expect([t.status, t.json.Code, t.headers['x-acs-retry-after']]).toEqual([400, 'Throttling', '250']);
    expect(emu.calls().map((c) => [c.fault, c.status, c.code])).toEqual([['ServiceUnavailable', 503, 'ServiceUnavailable'], ['Throttling', 400, 'Throttling']]);
  });

  it('reset → the connection drops (ECONNRESET); logged with status 0', async () => {
    faultOn('reset');
    const e = await apiError(api(client(), 'ecs.DescribeImages', { RegionId: R }));
    expect(e.code).toBe('ECONNRESET');
    expect(emu.calls().at(-1)).toMatchObject({ status: 0, code: 'reset', fault: 'reset' });
  });

  it('timeout → never answered; the client gives up', async () => {
    faultOn('timeout');
    const e = await apiError(api(client(), 'ecs.DescribeImages', { RegionId: R }, new $Util.RuntimeOptions({ readTimeout: 300, connectTimeout: 300 })));
    expect(e.name).toBe('RequestTimeoutError');
    expect(emu.calls().at(-1)).toMatchObject({ status: 0, code: 'timeout' });
  });

  it('close() ends a connection held by a timeout fault', async () => {
    const other = await startEmulator({ fleet: { regions: {}, behaviour: { faults: { rate: 1, kinds: ['timeout'] } } } });
    const hanging = send(signedRaw({ action: 'DescribeImages', version: '2014-05-26', query: { RegionId: R } }, other), other).then(
      () => 'answered',
      (e: NodeJS.ErrnoException) => e.code ?? 'error',
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(other.calls().at(-1)).toMatchObject({ code: 'timeout' });
    await other.close();
    expect(await hanging).toBe('ECONNRESET');
  });

  it('malformed → HTTP 200 with an HTML body (client: SyntaxError); or 502 HTML when asked', async () => {
    faultOn('malformed');
    const e = await apiError(api(client(), 'ecs.DescribeImages', { RegionId: R }));
    expect(e.name).toBe('SyntaxError');
    const raw = await send(signedRaw({ action: 'DescribeImages', version: '2014-05-26', query: { RegionId: R } }));
    expect([raw.status, raw.headers['content-type']]).toEqual([200, 'text/html']);
    expect(raw.text).toContain('502 Bad Gateway');
    faultOn('malformed', { malformedStatus: 502 });
    const bad = await send(signedRaw({ action: 'DescribeImages', version: '2014-05-26', query: { RegionId: R } }));
    expect(bad.status).toBe(502);
    expect(emu.calls().map((c) => [c.status, c.code])).toEqual([[200, 'malformed'], [200, 'malformed'], [502, 'malformed']]);
  });

  it('lossy faults on a mutating call: the PRNG decides whether the delete happened; the log says which', async () => {
    emu.setBehaviour({ faults: { rate: 1, kinds: ['reset', 'timeout', 'malformed'], seed: 11, actions: ['ecs.DeleteImage'] } });
    const rt = new $Util.RuntimeOptions({ readTimeout: 200, connectTimeout: 200 });
    for (let i = 0; i < 10; i++) await apiError(api(client(), 'ecs.DeleteImage', { RegionId: R, ImageId: `m-del${i}` }, rt));
    const calls = emu.calls();
    const left = new Set(emu.state().regions[R]!.images!.map((img) => img.ImageId));
    for (const [i, c] of calls.entries()) expect(left.has(`m-del${i}`)).toBe(!c.applied);
    expect(calls.some((c) => c.applied)).toBe(true);
    expect(calls.some((c) => !c.applied)).toBe(true);
    // `actions` keeps other calls clean, and a retried delete of an applied one finds the image gone.
    expect((await api(client(), 'ecs.DescribeImages', { RegionId: R })).statusCode).toBe(200);
    emu.setBehaviour({ faults: null as never });
    const applied = calls.findIndex((c) => c.applied);
    const retry = await apiError(api(client(), 'ecs.DeleteImage', { RegionId: R, ImageId: `m-del${applied}` }));
    expect([retry.code, retry.statusCode]).toEqual(['InvalidImageId.NotFound', 404]);
  });

  it('the same seed gives the same faults for the same request order', async () => {
    const run = async (): Promise<Array<string | null>> => {
      emu.loadFleet({ ...baseFleet(), behaviour: { faults: { rate: 0.5, kinds: ['ServiceUnavailable', 'Throttling'], seed: 99 } } });
      for (let i = 0; i < 12; i++) await api(client(), 'ecs.DescribeImages', { RegionId: R }).catch(() => undefined);
      return emu.calls().map((c) => c.code);
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first.some((c) => c === null)).toBe(true);
    expect(first.some((c) => c !== null)).toBe(true);
  });
});

describe('latency', () => {
  it('delays answers per action', async () => {
    emu.setBehaviour({ latencyMs: { default: 0, ListCustomImages: 250 } });
    const t = Date.now();
    await api(client(), 'ehpc.ListCustomImages', { RegionId: R });
    expect(Date.now() - t).toBeGreaterThanOrEqual(240);
  });
});

describe('control paths', () => {
  it('GET /_emulator/state and /_emulator/calls; DELETE clears the log; none of them is logged', async () => {
    await api(client(), 'ecs.DeleteImage', { RegionId: R, ImageId: 'm-del0' });
    const state = await control('GET', '/_emulator/state');
    expect(state.status).toBe(200);
    const images = (state.json as unknown as Fleet).regions[R]!.images!.map((i) => i.ImageId);
    expect(images).not.toContain('m-del0');
    expect(images).toContain('m-del1');
    const calls = await control('GET', '/_emulator/calls');
    expect(JSON.parse(calls.text)).toEqual([expect.objectContaining({ action: 'DeleteImage', version: '2014-05-26', region: R, params: { RegionId: R, ImageId: 'm-del0' }, status: 200, code: null })]);
    expect((await control('DELETE', '/_emulator/calls')).status).toBe(200);
    expect(JSON.parse((await control('GET', '/_emulator/calls')).text)).toEqual([]);
  });

  it('PUT /_emulator/behaviour patches behaviour; PUT /_emulator/fleet replaces the fleet; bad input → 400 naming the field', async () => {
    const b = await control('PUT', '/_emulator/behaviour', { deleteMissingImage: 'ignore' });
    expect(b.status).toBe(200);
    expect((await api(client(), 'ecs.DeleteImage', { RegionId: R, ImageId: 'm-nope' })).statusCode).toBe(200);
    const bad = await control('PUT', '/_emulator/behaviour', { qps: { DeleteImage: -1 } });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toContain('behaviour.qps.DeleteImage');

    const f = await control('PUT', '/_emulator/fleet', { regions: { 'cn-beijing': { images: [{ ImageId: 'm-bj1', CreationTime: '2026-01-01T00:00:00Z' }] } } });
    expect(f.status).toBe(200);
    expect(emu.state().regions).toEqual({ 'cn-beijing': expect.objectContaining({ images: [expect.objectContaining({ ImageId: 'm-bj1' })] }) });
    expect(emu.calls()).toEqual([]); // loading a fleet resets the log
    const badFleet = await control('PUT', '/_emulator/fleet', { regions: { r: { images: [{ ImageId: 'm-1' }] } } });
    expect([badFleet.status, badFleet.json.error]).toEqual([400, expect.stringContaining('regions.r.images[0].CreationTime')]);
    expect((await control('GET', '/_emulator/nothing')).status).toBe(404);
  });
});

describe('CLI (main.ts under tsx)', () => {
  const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
  const main = join(process.cwd(), 'test', 'emulator', 'main.ts');
  const dir = mkdtempSync(join(tmpdir(), 'emu-cli-'));

  function run(args: string[]): { child: ReturnType<typeof spawn>; exit: Promise<{ code: number | null; stderr: string }> } {
    const child = spawn(tsx, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exit = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
    return { child, exit };
  }

  it('prints `listening http://127.0.0.1:PORT` first, serves, and stops on SIGTERM', async () => {
    const file = join(dir, 'fleet.json');
    writeFileSync(file, JSON.stringify({ regions: { [R]: { images: [{ ImageId: 'm-cli', CreationTime: '2026-01-01T00:00:00Z' }] } } }));
    const { child, exit } = run(['--fleet', file, '--port', '0', '--quiet']);
    const first = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
    const m = /^listening http:\/\/127\.0\.0\.1:(\d+)$/.exec(first);
    expect(m).not.toBeNull();
    const state = await fetch(`http://127.0.0.1:${m![1]}/_emulator/state`).then((r) => r.json() as Promise<Fleet>);
    expect(state.regions[R]!.images![0]!.ImageId).toBe('m-cli');
    child.kill('SIGTERM');
    expect((await exit).code).toBe(0);
  });

  it('a bad fleet file → message on stderr naming the field, exit 2', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ regions: { [R]: { images: [{ ImageId: 'm-x', CreationTime: 'soon' }] } } }));
    const { code, stderr } = await run(['--fleet', file]).exit;
    expect(code).toBe(2);
    expect(stderr).toContain('regions.cn-hangzhou.images[0].CreationTime');
    const missing = await run([]).exit;
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--fleet');
  });
});
