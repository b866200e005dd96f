/**
 * Every error shape the library produces, built the way it builds them (openapi-client doRequest /
 * doRPCRequest, tea-typescript ResponseError, httpx's appended URLs), mapped to one CloudError.
 */
import { describe, expect, it } from 'vitest';
import { classifyCode, classifyResult, parseRetryAfter, sanitizeMessage } from '../../functions/cloud/classify.js';
import type { CloudError } from '../../functions/cloud/errors.js';
import type { WireResult } from '../../functions/cloud/transport.js';
import { responseError } from './cloud-quota-sim.js';

const ctx = { action: 'ecs.DeleteImage', region: 'cn-hangzhou' } as const;
const SECRETS = ['testsecret-XYZ', 'sts-token-ABC123'];
/** What httpx appends to a network error with a V2 signature: the whole signed query. */
const V2_URL = 'POST http://127.0.0.1:43031/?Action=DeleteImage&AccessKeyId=testid&SecurityToken=sts-token-ABC123&Signature=abc%3D&ImageId=m-1 failed.';

function failed(error: unknown, httpStatus = 0, headers: Record<string, string> = {}): WireResult {
  return { ok: false, error, httpStatus, headers };
}

function errorOf(result: WireResult): CloudError {
  const c = classifyResult(result, ctx, SECRETS);
  if (c.ok) throw new Error('expected an error');
  return c.error;
}

function networkError(code: string, message: string): Error {
  const e = new Error(message + V2_URL) as Error & { code: string };
  e.code = code;
  return e;
}

/** httpx's `append(err, 'RequestTimeout', …)` then `rejected` adding the URL. */
function readTimeout(): Error {
  const e = new Error();
  e.name = 'RequestTimeout' + e.name;
  e.message = `ReadTimeout(500). ${e.message}` + V2_URL;
  return e;
}

describe('API error answers (ResponseError)', () => {
  it('maps a 404 to final with code, status and request id', () => {
    const e = errorOf(failed(responseError('InvalidImageId.NotFound', 404, 'The specified image does not exist.', 'RID-404'), 404));
    expect(e).toMatchObject({ code: 'InvalidImageId.NotFound', httpStatus: 404, requestId: 'RID-404', errorClass: 'final', attempts: 1, retryAfterMs: null });
    expect(e.message).toContain('The specified image does not exist.');
  });

  it('maps a 403 RAM refusal to final', () => {
    expect(errorOf(failed(responseError('Forbidden.RAM', 403), 403))).toMatchObject({ code: 'Forbidden.RAM', errorClass: 'final', httpStatus: 403 });
  });

  it('maps a 503 to transient', () => {
    expect(errorOf(failed(responseError('ServiceUnavailable', 503), 503))).toMatchObject({ code: 'ServiceUnavailable', errorClass: 'transient' });
  });

  it('maps any 5xx to transient, even with an unknown code', () => {
    expect(errorOf(failed(responseError('UnknownError', 500), 500)).errorClass).toBe('transient');
    expect(errorOf(failed(responseError('Whatever', 502), 502)).errorClass).toBe('transient');
  });

  it("maps appstream's InternalError, documented as HTTP 400, to transient", () => {
    expect(errorOf(failed(responseError('InternalError', 400), 400))).toMatchObject({ errorClass: 'transient', httpStatus: 400 });
  });

  it('maps every Throttling code to throttled, with x-acs-retry-after in ms', () => {
    for (const code of ['Throttling', 'Throttling.User', 'Throttling.Api']) {
      const e = errorOf(failed(responseError(code, 400), 400, { 'x-acs-retry-after': '1500' }));
      expect(e).toMatchObject({ code, errorClass: 'throttled', retryAfterMs: 1500 });
    }
  });

  it('maps E-HPC 406 and 407 to final', () => {
    expect(errorOf(failed(responseError('AliyunError', 406), 406)).errorClass).toBe('final');
    expect(errorOf(failed(responseError('NotAuthorized', 407), 407)).errorClass).toBe('final');
  });

  it('names an error body without Code after its status', () => {
    const e = new Error('undefined: code: 500, undefined request id: undefined') as Error & Record<string, unknown>;
    Object.assign(e, { code: 'undefined', statusCode: 500, data: { statusCode: 500 }, description: 'undefined' });
    expect(errorOf(failed(e, 500))).toMatchObject({ code: 'HTTP500', errorClass: 'transient', requestId: null });
  });

  it('falls back to the x-acs-request-id header for the request id', () => {
    const e = responseError('Forbidden', 403);
    (e as unknown as { data: Record<string, unknown> }).data = { Code: 'Forbidden', statusCode: 403 };
    expect(errorOf(failed(e, 403, { 'x-acs-request-id': 'HDR-1' })).requestId).toBe('HDR-1');
  });

  it('maps a missing credential (thrown before any I/O) to final', () => {
    const e = new Error('InvalidCredentials: Please set up the credentials correctly.') as Error & Record<string, unknown>;
    Object.assign(e, { code: 'InvalidCredentials', data: undefined, description: undefined });
    expect(errorOf(failed(e))).toMatchObject({ code: 'InvalidCredentials', errorClass: 'final', httpStatus: 0 });
  });
});

describe('transport failures', () => {
  it.each(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT'])('maps %s to transient with its own code', (code) => {
    expect(errorOf(failed(networkError(code, 'socket hang up')))).toMatchObject({ code, errorClass: 'transient', httpStatus: 0 });
  });

  it('maps a bare "socket hang up" to ECONNRESET', () => {
    expect(errorOf(failed(new Error('socket hang up' + V2_URL)))).toMatchObject({ code: 'ECONNRESET', errorClass: 'transient' });
  });

  it('maps RequestTimeoutError (read and connect) to Timeout', () => {
    expect(errorOf(failed(readTimeout()))).toMatchObject({ code: 'Timeout', errorClass: 'transient' });
    const connect = new Error('ConnectTimeout: Connect http://127.0.0.1:1/?AccessKeyId=x failed.');
    connect.name = 'RequestTimeoutError';
    expect(errorOf(failed(connect))).toMatchObject({ code: 'Timeout', errorClass: 'transient' });
  });

  it('maps a non-JSON error page to MalformedResponse, keeping the HTTP status', () => {
    let syntax: unknown;
    try {
      JSON.parse('<html>502 Bad Gateway</html>');
    } catch (e) {
      syntax = e;
    }
    expect(errorOf(failed(syntax, 502, { 'x-acs-request-id': 'LB-1' }))).toMatchObject({ code: 'MalformedResponse', errorClass: 'transient', httpStatus: 502, requestId: 'LB-1' });
  });

  it('maps a non-JSON or non-object 200 body to MalformedResponse', () => {
    expect(errorOf(failed(new SyntaxError('Unexpected end of JSON input'), 200))).toMatchObject({ code: 'MalformedResponse', errorClass: 'transient', httpStatus: 200 });
    expect(errorOf(failed(new Error('The value is not a object'), 200)).code).toBe('MalformedResponse');
    expect(errorOf({ ok: true, body: [1, 2], httpStatus: 200, headers: {} }).code).toBe('MalformedResponse');
  });

  it('maps a failed default credential chain to final CredentialsUnavailable', () => {
    const e = new Error('unable to get credentials from any of the providers in the chain: getaddrinfo ENOTFOUND undefinedGET https://undefined/ failed.');
    expect(errorOf(failed(e))).toMatchObject({ code: 'CredentialsUnavailable', errorClass: 'final' });
  });

  it('maps TLS failures and anything unforeseen to final', () => {
    expect(errorOf(failed(networkError('EPROTO', 'wrong version number'))).errorClass).toBe('final');
    expect(errorOf(failed(new TypeError('boom'))).errorClass).toBe('final');
  });
});

describe('HTTP 200 answers', () => {
  it('passes a normal body through', () => {
    const c = classifyResult({ ok: true, body: { RequestId: 'R', Images: { Image: [] } }, httpStatus: 200, headers: {} }, ctx);
    expect(c).toEqual({ ok: true, body: { RequestId: 'R', Images: { Image: [] } } });
  });

  it('passes appstream success (Code "200", Success true) through', () => {
    expect(classifyResult({ ok: true, body: { Code: '200', Success: true, Data: [] }, httpStatus: 200, headers: {} }, ctx).ok).toBe(true);
  });

  it('turns Success: false into a final error with the body Code', () => {
    const e = errorOf({ ok: true, body: { RequestId: 'R2', Success: false, Code: 'ImageInUse', Message: 'used by a job' }, httpStatus: 200, headers: {} });
    expect(e).toMatchObject({ code: 'ImageInUse', errorClass: 'final', httpStatus: 200, requestId: 'R2' });
  });

  it('still honours codes that name throttling or a service failure inside Success: false', () => {
    expect(errorOf({ ok: true, body: { Success: false, Code: 'Throttling.User' }, httpStatus: 200, headers: {} }).errorClass).toBe('throttled');
    expect(errorOf({ ok: true, body: { Success: 'false', Code: 'InternalError' }, httpStatus: 200, headers: {} }).errorClass).toBe('transient');
  });
});

describe('no secret in any message', () => {
  const shapes: Array<[string, WireResult]> = [
    ['reset', failed(networkError('ECONNRESET', 'socket hang up'))],
    ['timeout', failed(readTimeout())],
    ['read-phase timeout', failed(Object.assign(new Error('ReadTimeout: 500. POST /?Action=X&AccessKeyId=testid&SecurityToken=sts-token-ABC123 failed.'), { name: 'RequestTimeoutError' }))],
    ['refused', failed(networkError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:41185'))],
    ['server echo', failed(responseError('InvalidParameter', 400, 'bad value testsecret-XYZ'), 400)],
  ];
  it.each(shapes)('%s', (_name, result) => {
    const e = errorOf(result);
    for (const needle of ['AccessKeyId', 'SecurityToken', 'Signature', 'sts-token-ABC123', 'testsecret-XYZ']) expect(e.message).not.toContain(needle);
  });

  it('keeps the readable part of the message', () => {
    expect(sanitizeMessage('socket hang upPOST http://h:1/?a=b&AccessKeyId=k failed.')).toBe('socket hang upPOST http://h:1/ failed.');
    expect(sanitizeMessage('Is it in use? Check the instance.')).toBe('Is it in use? Check the instance.');
  });
});

describe('small parsers', () => {
  it('reads x-acs-retry-after as milliseconds, capped, ignoring junk', () => {
    expect(parseRetryAfter('250')).toBe(250);
    expect(parseRetryAfter('12.2')).toBe(13);
    expect(parseRetryAfter(undefined)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter('-5')).toBeNull();
    expect(parseRetryAfter('99999999')).toBe(120_000);
  });

  it('classifies codes', () => {
    expect(classifyCode('Throttling.User', 400)).toBe('throttled');
    expect(classifyCode('ServiceUnavailable', 503)).toBe('transient');
    expect(classifyCode('IncorrectImageStatus', 403)).toBe('final');
  });
});
