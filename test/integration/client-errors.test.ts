/**
 * Real failures from the emulator, through the real library: each one lands in the right class,
 * retryable ones are retried until they succeed, and nothing secret leaks into a message.
 */
import { describe, expect, it } from 'vitest';
import type { FaultKind } from '../emulator/index.js';
import { emulatorPerFile } from '../support/e2e.js';
import { R, rejectionOf, STS, testClient, testFleet } from './client-harness.js';

const emu = emulatorPerFile(testFleet);

describe('error classes', () => {
  it('404 not found is final, with the request id', async () => {
    const { client } = testClient(emu().url);
    const e = await rejectionOf(client.call('ecs.DeleteImage', R, { ImageId: 'm-nope' }));
    expect(e).toMatchObject({ code: 'InvalidImageId.NotFound', httpStatus: 404, errorClass: 'final', attempts: 1 });
    expect(e['requestId']).toMatch(/^[0-9A-F-]{36}$/);
    expect(emu().calls()).toHaveLength(1);
  });

  it('403 refusal is final', async () => {
    emu().setBehaviour({ errors: [{ action: 'DeleteImage', status: 403, code: 'Forbidden.RAM', message: 'User not authorized to operate on the specified resource.' }] });
    const { client } = testClient(emu().url);
    const e = await rejectionOf(client.call('ecs.DeleteImage', R, { ImageId: 'm-del' }));
    expect(e).toMatchObject({ code: 'Forbidden.RAM', httpStatus: 403, errorClass: 'final', attempts: 1 });
    expect(e.message).toContain('User not authorized');
  });

  it('an image in use is a final business refusal', async () => {
    const { client } = testClient(emu().url);
    const e = await rejectionOf(client.call('ecs.DeleteImage', R, { ImageId: 'm-used' }));
    expect(e).toMatchObject({ code: 'ImageUsingByInstance', errorClass: 'final', attempts: 1 });
  });

  it('503 is transient and retried up to maxAttempts', async () => {
    emu().setBehaviour({ errors: [{ action: 'DescribeImages', status: 503, code: 'ServiceUnavailable' }] });
    const { client } = testClient(emu().url, { retry: { maxAttempts: 3, baseDelayMs: 10 } });
    const e = await rejectionOf(client.call('ecs.DescribeImages', R, {}));
    expect(e).toMatchObject({ code: 'ServiceUnavailable', httpStatus: 503, errorClass: 'transient', attempts: 3 });
    expect(emu().calls()).toHaveLength(3);
  });

  it('Throttling is throttled, with the x-acs-retry-after the library drops', async () => {
    emu().setBehaviour({ qps: { DescribeImages: 1 } });
    const { client } = testClient(emu().url, { retry: { maxAttempts: 1 } });
    await client.call('ecs.DescribeImages', R, {});
    const e = await rejectionOf(client.call('ecs.DescribeImages', R, {}));
    expect(e).toMatchObject({ code: 'Throttling', httpStatus: 400, errorClass: 'throttled', attempts: 1 });
    expect(e['retryAfterMs']).toBeGreaterThan(0);
    expect(e['retryAfterMs']).toBeLessThanOrEqual(1000);
  });
});

describe('retries that succeed after injected faults', () => {
  const kinds: Array<[FaultKind, Record<string, unknown>]> = [
    ['ServiceUnavailable', {}],
    ['Throttling', {}],
    ['reset', {}],
    ['timeout', { readTimeoutMs: 300 }],
    ['malformed', {}],
  ];
  it.each(kinds)('%s', async (kind, options) => {
    emu().setBehaviour({ faults: { rate: 0.4, kinds: [kind], seed: 7, actions: ['DescribeImages'] } });
    const { client, events } = testClient(emu().url, { retry: { maxAttempts: 10, baseDelayMs: 10, maxDelayMs: 50 }, ...options });
    for (let i = 0; i < 8; i++) {
      const body = await client.call('ecs.DescribeImages', R, { PageSize: 1 });
      expect(body['TotalCount']).toBe(29);
    }
    const faulted = emu().calls().filter((c) => c.fault === kind).length;
    expect(faulted).toBeGreaterThan(0);
    expect(client.stats().retries).toBe(faulted);
    const expectedCode = { ServiceUnavailable: 'ServiceUnavailable', Throttling: 'Throttling', reset: 'ECONNRESET', timeout: 'Timeout', malformed: 'MalformedResponse' }[kind];
    const failedAttempts = events.filter((e) => e.type === 'attempt' && e.outcome !== 'ok');
    expect(failedAttempts).toHaveLength(faulted);
    expect(failedAttempts.every((e) => e.type === 'attempt' && e.code === expectedCode)).toBe(true);
  });

  it('a non-JSON 502 page keeps its HTTP status', async () => {
    emu().setBehaviour({ faults: { rate: 1, kinds: ['malformed'], malformedStatus: 502, actions: ['DescribeImages'] } });
    const { client } = testClient(emu().url, { retry: { maxAttempts: 2, baseDelayMs: 10 } });
    const e = await rejectionOf(client.call('ecs.DescribeImages', R, {}));
    expect(e).toMatchObject({ code: 'MalformedResponse', httpStatus: 502, errorClass: 'transient', attempts: 2 });
    expect(e['requestId']).toMatch(/^[0-9A-F-]{36}$/);
  });
});

describe('no secret in messages', () => {
  it('a reset under V2 with STS (the signed URL is in the library message)', async () => {
    emu().setBehaviour({ faults: { rate: 1, kinds: ['reset'], actions: ['DescribeImages'] } });
    const { client, events } = testClient(emu().url, { credentials: { kind: 'static', ...STS }, signatureAlgorithm: 'v2', retry: { maxAttempts: 1 } });
    const e = await rejectionOf(client.call('ecs.DescribeImages', R, {}));
    expect(e).toMatchObject({ code: 'ECONNRESET', errorClass: 'transient' });
    const everything = JSON.stringify({ message: e.message, stack: e.stack, events });
    for (const s of [STS.securityToken, STS.accessKeySecret, 'AccessKeyId', 'Signature=', 'SecurityToken']) expect(everything).not.toContain(s);
  });

  it('a timeout under V2 with STS', async () => {
    emu().setBehaviour({ faults: { rate: 1, kinds: ['timeout'], actions: ['DescribeImages'] } });
    const { client } = testClient(emu().url, { credentials: { kind: 'static', ...STS }, signatureAlgorithm: 'v2', retry: { maxAttempts: 1 }, readTimeoutMs: 200 });
    const e = await rejectionOf(client.call('ecs.DescribeImages', R, {}));
    expect(e).toMatchObject({ code: 'Timeout', errorClass: 'transient' });
    for (const s of [STS.securityToken, 'AccessKeyId', 'Signature=']) expect(e.message).not.toContain(s);
  });
});
