/**
 * Credentials never reach a log line, an error message or a plan: real-looking keys in the
 * environment and in the Function Compute context, runs that fail in every way that puts request
 * details into messages, and every line checked for every secret.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FcContext } from '../../functions/fc-types.js';
import { createHandler } from '../../functions/handler.js';
import { AuditLog } from '../../functions/report/audit-log.js';
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
