/**
 * Credentials never reach a log line, an error message or a plan: real-looking keys in the
 * environment and in the Function Compute context, runs that fail in every way that puts request
 * details into messages, and every line checked for every secret.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FcContext } from '../../functions/fc-types.js';
import { createHandler } from '../../functions/handler.js';
import { createCloudClient } from '../../functions/cloud/client.js';
import { secretValues } from '../../functions/cloud/credentials.js';
import { loadPolicy } from '../../functions/policy/load.js';
import { AuditLog } from '../../functions/report/audit-log.js';
import { runCollector } from '../../functions/run.js';
import type { Emulator } from '../emulator/index.js';
import { cli, emulatorWith, envFor, logSink, tempDir, writePolicy } from '../support/e2e.js';
import { E2E_NOW, ECS_POLICY, ecsFleet } from '../support/fleets.js';

const KEY = { accessKeyId: 'LTAI5tQ8mZr3XkWnV9pYdE2s', accessKeySecret: 'x7Hq2LpR9vKs4TmW8nZc3JbF6yGa1Ud0' };
const TOKEN = 'CAIS8QJ1q6Ft5B2yfSjIr5bHK9P+gq5lz7vbSnHWhXNnY+N1jqHXjzz2IHhMe3VqAOsctf8ymW1Y6f4TlqJ4T55IQ1Dza8kWmRXpcEPxXwL3ssPz';
const SECRETS = [KEY.accessKeyId, KEY.accessKeySecret, TOKEN];

function expectClean(text: string): void {
  for (const s of SECRETS) {
    expect(text.includes(s), `found ${s.slice(0, 6)}... in output`).toBe(false);
    expect(text.includes(encodeURIComponent(s)), `found url-encoded ${s.slice(0, 6)}...`).toBe(false);
  }
}

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

describe('secrets', () => {
  it('stay out of the CLI audit log and output through faults that put request URLs into messages', async () => {
    emu = await emulatorWith({
      ...ecsFleet(),
      credentials: [{ ...KEY, securityToken: TOKEN }],
      behaviour: { faults: { rate: 0.5, kinds: ['reset', 'malformed', 'ServiceUnavailable', 'Throttling'], seed: 7 } },
    });
    const log = `${tempDir()}/audit.jsonl`;
    const env = { ...envFor(emu), ALIBABA_CLOUD_ACCESS_KEY_ID: KEY.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY.accessKeySecret, ALIBABA_CLOUD_SECURITY_TOKEN: TOKEN };
    const policy = writePolicy(tempDir(), ECS_POLICY);
    const planned = await cli(['plan', '--policy', policy, '--json', '--now', E2E_NOW.toISOString()], env);
    const ran = await cli(['run', '--policy', policy, '--now', E2E_NOW.toISOString(), '--log', log], env);
    const text = readFileSync(log, 'utf8');
    expect(text).toContain('"event":"run.finish"');
    expectClean(text);
    expectClean(planned.stdout + planned.stderr + ran.stdout + ran.stderr);
  });

  it('stay out of the handler log when the cloud refuses the keys', async () => {
    // The emulator knows none of these keys: every call fails with an auth error that names things.
    emu = await emulatorWith(ecsFleet());
    process.env['IMAGE_GC_ENDPOINT'] = emu.url;
    process.env['IMAGE_GC_POLICY'] = writePolicy(tempDir(), ECS_POLICY);
    process.env['ALIBABA_CLOUD_ACCESS_KEY_SECRET'] = KEY.accessKeySecret;
    try {
      const sink = logSink();
      const context: FcContext = {
        requestId: 'r-1',
        credentials: { ...KEY, securityToken: TOKEN },
        function: { name: 'image-gc', handler: 'index.handler', memory: 512, timeout: 600 },
        region: 'cn-hangzhou',
        accountId: '1',
      };
      const summary = await createHandler({ destination: sink.destination })(Buffer.from('{}'), context);
      expect(summary.listingFailures.length).toBeGreaterThan(0);
      expect(sink.lines.some((l) => l['event'] === 'api.error')).toBe(true);
      expectClean(sink.raw.join('\n'));
      expectClean(JSON.stringify(summary));
    } finally {
      delete process.env['IMAGE_GC_ENDPOINT'];
      delete process.env['IMAGE_GC_POLICY'];
      delete process.env['ALIBABA_CLOUD_ACCESS_KEY_SECRET'];
    }
  });

  it('are redacted by the audit log wherever they appear: fields, nested fields, messages', () => {
    const sink = logSink();
    const log = new AuditLog({ runId: 'r', secrets: SECRETS, destination: sink.destination });
    log.apiError({ action: 'ecs.DeleteImage', region: 'cn-hangzhou', code: 'X', httpStatus: 400, requestId: null, errorClass: 'final', attempts: 1, message: `failed POST http://h/?AccessKeyId=${KEY.accessKeyId}&SecurityToken=${encodeURIComponent(TOKEN)}` });
    log.warn('run.warning', `secret ${KEY.accessKeySecret}`, { credentials: { accessKeySecret: KEY.accessKeySecret }, nested: { securityToken: TOKEN } });
    expect(sink.raw).toHaveLength(2);
    expectClean(sink.raw.join('\n'));
    expect(sink.raw.join('\n')).toContain('[REDACTED]');
  });
});

// ---------------------------------------------------------------------------------------------
// Added for issue #7 (reliability): the cloud echoing the string to sign, plan --json, V2 signatures.

/** Every form a secret takes on the wire: raw, URL-encoded once (a query) and twice (a V1/V2 string to sign). */
function expectCleanDeep(text: string, where: string): void {
  for (const s of SECRETS) {
    for (const form of new Set([s, encodeURIComponent(s), encodeURIComponent(encodeURIComponent(s)), JSON.stringify(s).slice(1, -1)])) {
      expect(text.includes(form), `${where}: found ${form.slice(0, 8)}... (${form === s ? 'raw' : 'encoded'})`).toBe(false);
    }
  }
}

/** What ECS answers a V1/V2 request whose signature does not match: the server's string to sign, which holds the key ID and the token. */
function stringToSignMessage(): string {
  const query = `AccessKeyId=${encodeURIComponent(KEY.accessKeyId)}&Action=DescribeImages&Format=JSON&RegionId=cn-shanghai&SecurityToken=${encodeURIComponent(TOKEN)}&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&Version=2014-05-26`;
  return `Specified signature is not matched with our calculation. server string to sign is:POST&%2F&${encodeURIComponent(query)}`;
}

describe('secrets (reliability)', () => {
  // ECS answers a V1/V2 signature mismatch with its string to sign: the key ID raw, the token encoded twice.
  it('stay out of plan --json, the audit log and the output when the cloud echoes its string to sign', async () => {
    emu = await emulatorWith({
      ...ecsFleet(),
      credentials: [{ ...KEY, securityToken: TOKEN }],
      behaviour: { errors: [{ action: 'DescribeImages', region: 'cn-shanghai', status: 400, code: 'SignatureDoesNotMatch', message: stringToSignMessage() }] },
    });
    const log = `${tempDir()}/audit.jsonl`;
    const env = { ...envFor(emu), ALIBABA_CLOUD_ACCESS_KEY_ID: KEY.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY.accessKeySecret, ALIBABA_CLOUD_SECURITY_TOKEN: TOKEN };
    const policy = writePolicy(tempDir(), ECS_POLICY);
    const planned = await cli(['plan', '--policy', policy, '--json', '--now', E2E_NOW.toISOString()], env);
    expect(planned.stdout).toContain('SignatureDoesNotMatch');
    const ran = await cli(['run', '--policy', policy, '--now', E2E_NOW.toISOString(), '--log', log], env);
    expectCleanDeep(planned.stdout + planned.stderr, 'plan --json');
    expectCleanDeep(readFileSync(log, 'utf8'), 'audit log');
    expectCleanDeep(ran.stdout + ran.stderr, 'run output');
  });

  it('stay out of the log and of every error with V2 (HMAC-SHA1 query) signatures, whose URLs carry the key ID, token and signature', async () => {
    emu = await emulatorWith({
      ...ecsFleet(),
      credentials: [{ ...KEY, securityToken: TOKEN }],
      behaviour: { faults: { rate: 0.5, kinds: ['reset', 'timeout', 'malformed', 'ServiceUnavailable'], seed: 11 } },
    });
    const client = createCloudClient({
      credentials: { kind: 'static', ...KEY, securityToken: TOKEN },
      endpoint: emu.url,
      signatureAlgorithm: 'v2',
      readTimeoutMs: 300,
      retry: { baseDelayMs: 5, maxDelayMs: 50 },
      rate: { requestsPerSecond: 100 },
    });
    // V2 really was used: the emulator saw V1-style signed requests.
    const sink = logSink();
    const secretsForLog = [...secretValues({ kind: 'static', ...KEY, securityToken: TOKEN }), KEY.accessKeyId];
    const log = new AuditLog({ runId: 'v2', secrets: secretsForLog, destination: sink.destination });
    const errors: string[] = [];
    const api = {
      async call(...args: Parameters<typeof client.call>) {
        try {
          return await client.call(...args);
        } catch (e) {
          errors.push(e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e));
          throw e;
        }
      },
    };
    const loaded = loadPolicy({ text: ECS_POLICY, file: 'p.yaml' });
    if (!loaded.ok) throw new Error('policy');
    await runCollector({
      policy: { policy: loaded.policy, file: 'p.yaml', sha256: loaded.sha256 },
      api,
      mode: 'enforce',
      modeReason: 'test',
      now: E2E_NOW,
      deadline: null,
      log,
      apiStats: () => ({ calls: 0, throttled: 0 }),
    });
    await new Promise((r) => setImmediate(r));
    expect(emu.calls().some((c) => c.signature === 'v1')).toBe(true);
    expect(emu.calls().some((c) => c.fault !== undefined)).toBe(true);
    expect(errors.length).toBeGreaterThan(0);
    expectCleanDeep(errors.join('\n'), 'CloudError messages and stacks');
    expectCleanDeep(sink.raw.join('\n'), 'audit log');
  });
});
