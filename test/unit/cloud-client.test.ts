/**
 * The client's ordering of refusal, limits, retries and events, over a scripted transport on a
 * virtual clock (the wire itself is covered by test/integration/client-*.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { CloudClient, type CloudClientOptions, type ClientEvent } from '../../functions/cloud/client.js';
import { secretValues } from '../../functions/cloud/credentials.js';
import { CloudError } from '../../functions/cloud/errors.js';
import type { Transport, WireRequest, WireResult } from '../../functions/cloud/transport.js';
import { FakeClock } from './cloud-fake-clock.js';
import { responseError } from './cloud-quota-sim.js';

const SECRET = 'sk-very-secret-1234';
const TOKEN = 'sts-token-abcdef-5678';
const OK: WireResult = { ok: true, body: { RequestId: 'R-OK' }, httpStatus: 200, headers: { 'x-acs-request-id': 'R-OK' } };
const fail = (error: unknown, httpStatus = 0, headers: Record<string, string> = {}): WireResult => ({ ok: false, error, httpStatus, headers });
const unavailable = (): WireResult => fail(responseError('ServiceUnavailable', 503), 503);
const throttled = (retryAfterMs: number): WireResult => fail(responseError('Throttling', 400), 400, { 'x-acs-retry-after': String(retryAfterMs) });

/** A transport answering from a script (the last answer repeats), recording what it was sent and when. */
function scripted(clock: FakeClock, answers: WireResult[]) {
  const sent: Array<{ req: WireRequest; at: number }> = [];
  const transport: Transport = async (req) => {
    sent.push({ req, at: clock.now() });
    await clock.sleep(10);
    return answers[Math.min(sent.length - 1, answers.length - 1)] as WireResult;
  };
  return { transport, sent };
}

function client(clock: FakeClock, transport: Transport, extra: Partial<CloudClientOptions> = {}) {
  const events: ClientEvent[] = [];
  const c = new CloudClient({
    credentials: { kind: 'static', accessKeyId: 'testid', accessKeySecret: SECRET, securityToken: TOKEN },
    transport,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { c, events };
}

async function rejection(clock: FakeClock, p: Promise<unknown>): Promise<CloudError> {
  try {
    await clock.run(p);
  } catch (e) {
    expect(e).toBeInstanceOf(CloudError);
    return e as CloudError;
  }
  throw new Error('expected a rejection');
}

describe('refusals before anything is sent', () => {
  it('refuses every mutating action in dry-run and sends read-only ones', async () => {
    const clock = new FakeClock();
    const { transport, sent } = scripted(clock, [OK]);
    const { c, events } = client(clock, transport, { dryRun: true });
    for (const action of ['ecs.DeleteImage', 'ecs.TagResources', 'ecs.UntagResources', 'ecs.DeleteImagePipeline', 'ehpcinstant.RemoveImage', 'appstream.DeleteImage'] as const) {
      const e = await rejection(clock, c.call(action, action.startsWith('appstream') ? 'cn-shanghai' : 'cn-hangzhou', { ImageId: 'm-1' }));
      expect(e).toMatchObject({ code: 'DryRunViolation', errorClass: 'final', attempts: 0, action });
    }
    expect(sent).toHaveLength(0);
    await clock.run(c.call('ecs.DescribeImages', 'cn-hangzhou', {}));
    expect(sent).toHaveLength(1);
    expect(events.filter((e) => e.type === 'refused')).toHaveLength(6);
  });

  it('refuses appstream outside its two regions without sending', async () => {
    const clock = new FakeClock();
    const { transport, sent } = scripted(clock, [OK]);
    const { c } = client(clock, transport);
    const e = await rejection(clock, c.call('appstream.ListImage', 'cn-hangzhou', {}));
    expect(e).toMatchObject({ code: 'UnsupportedRegion', errorClass: 'final', attempts: 0 });
    expect(sent).toHaveLength(0);
  });

  it('refuses an action that is not in the table', async () => {
    const clock = new FakeClock();
    const { transport } = scripted(clock, [OK]);
    const { c } = client(clock, transport);
    expect(await rejection(clock, c.call('ecs.RunInstances' as never, 'cn-hangzhou', {}))).toMatchObject({ code: 'UnknownAction' });
  });
});

describe('the request', () => {
  it('goes to the resolved endpoint with params placed by the table', async () => {
    const clock = new FakeClock();
    const { transport, sent } = scripted(clock, [OK]);
    const { c } = client(clock, transport, { endpoint: 'http://127.0.0.1:9' });
    const body = await clock.run(c.call('appstream.DeleteImage', 'cn-shanghai', { ImageId: 'imgc-1' }));
    expect(body).toEqual({ RequestId: 'R-OK' });
    expect(sent[0]?.req).toMatchObject({
      endpoint: { host: '127.0.0.1:9', protocol: 'http' },
      params: { query: { RegionId: 'cn-shanghai' }, body: { ImageId: 'imgc-1' } },
    });
    expect(sent[0]?.req.spec.action).toBe('DeleteImage');
  });

  it('uses the VPC host when asked', async () => {
    const clock = new FakeClock();
    const { transport, sent } = scripted(clock, [OK]);
    const { c } = client(clock, transport, { network: 'vpc' });
    await clock.run(c.call('ecs.DescribeImages', 'cn-hangzhou', {}));
    expect(sent[0]?.req.endpoint.host).toBe('ecs-vpc.cn-hangzhou.aliyuncs.com');
  });
});

describe('retries', () => {
  it('retries transient failures and succeeds, counting attempts and retries', async () => {
    const clock = new FakeClock();
    const { transport, sent } = scripted(clock, [unavailable(), fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })), OK]);
    const { c, events } = client(clock, transport);
    expect(await clock.run(c.call('ecs.DeleteImage', 'cn-hangzhou', { ImageId: 'm-1' }))).toEqual({ RequestId: 'R-OK' });
    expect(sent).toHaveLength(3);
    expect(c.stats()).toMatchObject({ calls: 3, retries: 2, throttled: 0, failures: 0, callsByAction: { 'ecs.DeleteImage': 3 } });
    const attempts = events.filter((e) => e.type === 'attempt');
    expect(attempts.map((e) => e.type === 'attempt' && [e.attempt, e.outcome, e.code])).toEqual([
      [1, 'transient', 'ServiceUnavailable'],
      [2, 'transient', 'ECONNRESET'],
      [3, 'ok', null],
    ]);
    expect(attempts[2]).toMatchObject({ requestId: 'R-OK', httpStatus: 200 });
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(2);
  });

  it('never retries a final error', async () => {
    const clock = new FakeClock();
    const { transport, sent } = scripted(clock, [fail(responseError('InvalidImageId.NotFound', 404), 404)]);
    const { c } = client(clock, transport);
    const e = await rejection(clock, c.call('ecs.DeleteImage', 'cn-hangzhou', { ImageId: 'm-1' }));
    expect(e).toMatchObject({ code: 'InvalidImageId.NotFound', errorClass: 'final', attempts: 1 });
    expect(sent).toHaveLength(1);
  });

  it('waits at least x-acs-retry-after before retrying a throttled call', async () => {
    const clock = new FakeClock();
    const { transport, sent } = scripted(clock, [throttled(1_500), OK]);
    const { c, events } = client(clock, transport);
    await clock.run(c.call('ecs.DescribeImages', 'cn-hangzhou', {}));
    expect((sent[1]?.at as number) - (sent[0]?.at as number)).toBeGreaterThanOrEqual(1_500);
    expect(events.find((e) => e.type === 'throttle')).toMatchObject({ retryAfterMs: 1_500 });
    expect(c.stats().throttled).toBe(1);
  });

  it('gives up after maxAttempts with the last error and the attempt count', async () => {
    const clock = new FakeClock();
    const { transport, sent } = scripted(clock, [unavailable()]);
    const { c } = client(clock, transport, { retry: { maxAttempts: 4 } });
    const e = await rejection(clock, c.call('ecs.DescribeImages', 'cn-hangzhou', {}));
    expect(e).toMatchObject({ code: 'ServiceUnavailable', errorClass: 'transient', attempts: 4 });
    expect(sent).toHaveLength(4);
    expect(c.stats().failures).toBe(1);
  });

  it('backs off exponentially with full jitter (random 0.5 → half the cap)', async () => {
    const clock = new FakeClock();
    const { transport } = scripted(clock, [unavailable()]);
    const { c, events } = client(clock, transport, { retry: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 300 } });
    await rejection(clock, c.call('ecs.DescribeImages', 'cn-hangzhou', {}));
    expect(events.flatMap((e) => (e.type === 'retry' ? [e.delayMs] : []))).toEqual([50, 100, 150, 150]);
  });
});

describe('the deadline', () => {
  it('starts nothing once it has passed', async () => {
    const clock = new FakeClock();
    const { transport, sent } = scripted(clock, [OK]);
    const { c } = client(clock, transport, { deadline: clock.now() - 1 });
    expect(await rejection(clock, c.call('ecs.DescribeImages', 'cn-hangzhou', {}))).toMatchObject({ code: 'DeadlineExceeded', errorClass: 'final', attempts: 0 });
    expect(sent).toHaveLength(0);
  });

  it('stops retrying when the next attempt would start after it', async () => {
    const clock = new FakeClock();
    const { transport, sent } = scripted(clock, [throttled(5_000)]);
    const { c } = client(clock, transport, { deadline: clock.now() + 3_000 });
    const e = await rejection(clock, c.call('ecs.DeleteImage', 'cn-hangzhou', { ImageId: 'm-1' }));
    expect(e).toMatchObject({ code: 'DeadlineExceeded', errorClass: 'final', attempts: 1, httpStatus: 400 });
    expect(e.message).toContain('Throttling');
    expect(sent).toHaveLength(1);
  });
});

describe('secrets', () => {
  it('never appear in errors or events, even when the library puts the signed URL in a message', async () => {
    const clock = new FakeClock();
    const url = `POST http://127.0.0.1:1/?AccessKeyId=testid&SecurityToken=${TOKEN}&Signature=x failed.`;
    const reset = Object.assign(new Error(`socket hang up${url}`), { code: 'ECONNRESET' });
    const echo = responseError('InvalidParameter', 400, `bad ${SECRET}`);
    const { transport } = scripted(clock, [fail(reset), fail(echo, 400)]);
    const { c, events } = client(clock, transport);
    const e = await rejection(clock, c.call('ecs.DescribeImages', 'cn-hangzhou', {}));
    const everything = JSON.stringify({ message: e.message, fields: e.fields(), events });
    for (const s of [SECRET, TOKEN, 'AccessKeyId', 'Signature=']) expect(everything).not.toContain(s);
  });

  it('lists the secret values of a source for the logger', () => {
    expect(secretValues({ kind: 'static', accessKeyId: 'id', accessKeySecret: SECRET, securityToken: TOKEN })).toEqual([SECRET, TOKEN]);
    expect(secretValues({ kind: 'static', accessKeyId: 'id', accessKeySecret: SECRET })).toEqual([SECRET]);
    const saved = { ...process.env };
    try {
      process.env['ALIBABA_CLOUD_ACCESS_KEY_SECRET'] = 'env-secret-value';
      delete process.env['ALIBABA_CLOUD_SECURITY_TOKEN'];
      expect(secretValues({ kind: 'chain' })).toEqual(['env-secret-value']);
    } finally {
      process.env = saved;
    }
  });
});

describe('events', () => {
  it('a listener that throws does not fail the call', async () => {
    const clock = new FakeClock();
    const { transport } = scripted(clock, [OK]);
    const { c } = client(clock, transport, {
      onEvent: () => {
        throw new Error('listener bug');
      },
    });
    await expect(clock.run(c.call('ecs.DescribeImages', 'cn-hangzhou', {}))).resolves.toEqual({ RequestId: 'R-OK' });
  });
});
