/**
 * The emulator's signature code reproduces Alibaba's published / SDK-verified known-answer vectors
 * (shared/reference/alibaba-openapi.md §6, openapi-client.md §2.2.3), for both algorithms.
 */
import { describe, expect, it } from 'vitest';
import {
  EMPTY_SHA256, authorizationV3, canonicalQueryV3, groupHeaders, parseAuthorizationV3, percentEncode,
  sha256Hex, signV1, signV3, stringToSignV1,
} from '../emulator/signature.js';

describe('percentEncode (RFC 3986 as the SDKs do it)', () => {
  it('escapes !\'()* and space as %20, keeps ~ and unreserved characters', () => {
    expect(percentEncode("a b!'()*~-_.Z9")).toBe('a%20b%21%27%28%29%2A~-_.Z9');
    expect(percentEncode('测')).toBe('%E6%B5%8B');
    expect(percentEncode('/')).toBe('%2F');
  });

  it('V3 canonical query: sorted keys, raw keys, encoded values, empty value keeps "key="', () => {
    expect(canonicalQueryV3({ test: 'ok', empty: '' })).toBe('empty=&test=ok');
    expect(canonicalQueryV3({ 'Tag.1.Value': 'a b+c', ImageName: "x*(1)!'" })).toBe("ImageName=x%2A%281%29%21%27&Tag.1.Value=a%20b%2Bc");
  });
});

describe('V3 ACS3-HMAC-SHA256 known answers', () => {
  it('ECS DeleteImage vector (canonical request, string to sign, signature)', () => {
    const headers = groupHeaders({
      host: 'ecs.cn-hangzhou.aliyuncs.com',
      'x-acs-action': 'DeleteImage',
      'x-acs-version': '2014-05-26',
      'x-acs-date': '2024-01-01T00:00:00Z',
      'x-acs-signature-nonce': '0123456789abcdef',
      'x-acs-content-sha256': EMPTY_SHA256,
    });
    const r = signV3(
      { method: 'POST', pathname: '/', query: { RegionId: 'cn-hangzhou', ImageId: 'm-bp1example', Force: 'false' }, headers, payloadHash: EMPTY_SHA256 },
      'testsecret',
    );
    expect(r.canonicalRequest).toBe(
      'POST\n/\nForce=false&ImageId=m-bp1example&RegionId=cn-hangzhou\nhost:ecs.cn-hangzhou.aliyuncs.com\nx-acs-action:DeleteImage\n' +
        'x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nx-acs-date:2024-01-01T00:00:00Z\n' +
        'x-acs-signature-nonce:0123456789abcdef\nx-acs-version:2014-05-26\n\n' +
        'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n' +
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(r.stringToSign).toBe('ACS3-HMAC-SHA256\n69b5758e8790c5123486c3c4682f7e8b183a230ee4e77f256ee4e41dadaf04a0');
    expect(r.signature).toBe('98a993719d8404776dd6be55bcafb606fbd8d6c726078525a0a049d42a58abf3');
  });

  it('OAU HEAD unit-test vector: method unset ("undefined") and GET, duplicate header names merged and sorted', () => {
    const input = {
      pathname: '',
      query: { test: 'ok', empty: '' },
      headers: groupHeaders({ 'x-acs-TEST': 'https', 'x-acs-test': 'http' }),
      payloadHash: '55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23',
    };
    const unset = signV3({ ...input, method: 'undefined' }, 'secret');
    expect(unset.canonicalRequest).toContain('\nempty=&test=ok\nx-acs-test:http,https\n');
    expect(authorizationV3('acesskey', unset)).toBe(
      'ACS3-HMAC-SHA256 Credential=acesskey,SignedHeaders=x-acs-test,Signature=0f2d549523cf082c83bb8135b5863614f7fe16ca7c2c7fc537e74d67374eeeac',
    );
    expect(signV3({ ...input, method: 'GET' }, 'secret').signature).toBe('910e59dd385879346de704a06c96613f8157aa7124e6d1c4f2bdffa1e5588187');
  });

  it("Alibaba's V3 doc RunInstances example", () => {
    const headers = groupHeaders({
      host: 'ecs.cn-shanghai.aliyuncs.com',
      'x-acs-action': 'RunInstances',
      'x-acs-version': '2014-05-26',
      'x-acs-date': '2023-10-26T09:01:01Z',
      'x-acs-signature-nonce': 'd410180a5abf7fe235dd9b74aca91fc0',
      'x-acs-content-sha256': EMPTY_SHA256,
    });
    const r = signV3(
      { method: 'POST', pathname: '/', query: { ImageId: 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd', RegionId: 'cn-shanghai' }, headers, payloadHash: EMPTY_SHA256 },
      'YourAccessKeySecret',
    );
    expect(r.signature).toBe('e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804');
  });

  it('payload hashes: empty body and the appstream DeleteImage form body', () => {
    expect(sha256Hex('')).toBe(EMPTY_SHA256);
    expect(sha256Hex('ImageId=img-example')).toBe('f862c5c2fd41b96cc62dfb6ba03277a1e7123ce5cc736a0ecc43119a89b5ff0b');
  });

  it('parses the Authorization header it verifies', () => {
    expect(parseAuthorizationV3('ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;x-acs-date,Signature=abc')).toEqual({
      algorithm: 'ACS3-HMAC-SHA256', credential: 'testid', signedHeaders: ['host', 'x-acs-date'], signature: 'abc',
    });
    expect(parseAuthorizationV3('ACS3-HMAC-SHA256 Credential=testid')).toBeNull();
  });
});

describe('V1 HMAC-SHA1 known answers', () => {
  it('OAU getRPCSignature({test: ok}, method "", secret accessKeySecret)', () => {
    expect(signV1('', { test: 'ok' }, 'accessKeySecret')).toBe('jHx/oHoHNrbVfhncHEvPdHXZwHU=');
  });

  // The two references quote different DescribeRegions values; both are right for their inputs:
  // alibaba-openapi.md's parameter list (key `Timestamp`) gives OLeaid…, and the doc example
  // openapi-client.md quotes spells the key `TimeStamp`, which sorts differently and gives CT9X0….
  const describeRegions = {
    AccessKeyId: 'testid', Action: 'DescribeRegions', Format: 'XML', SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf', SignatureVersion: '1.0', Version: '2014-05-26',
  };

  it('classic DescribeRegions example (Timestamp)', () => {
    expect(signV1('GET', { ...describeRegions, Timestamp: '2016-02-23T12:46:24Z' }, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it('classic DescribeRegions example as published (TimeStamp)', () => {
    expect(signV1('GET', { ...describeRegions, TimeStamp: '2016-02-23T12:46:24Z' }, 'testsecret')).toBe('CT9X0VtwR86fNWSnsc6v8YGOjuE=');
  });

  it('ECS DeleteImage vector, POST and GET; Signature itself is never signed', () => {
    const params = {
      Action: 'DeleteImage', Format: 'json', Version: '2014-05-26', Timestamp: '2024-01-01T00:00:00Z',
      SignatureNonce: '0123456789abcdef', RegionId: 'cn-hangzhou', ImageId: 'm-bp1example', Force: 'false',
      SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0', AccessKeyId: 'testid',
    };
    expect(stringToSignV1('POST', params)).toBe(
      'POST&%2F&AccessKeyId%3Dtestid%26Action%3DDeleteImage%26Force%3Dfalse%26Format%3Djson%26ImageId%3Dm-bp1example' +
        '%26RegionId%3Dcn-hangzhou%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D0123456789abcdef%26SignatureVersion%3D1.0' +
        '%26Timestamp%3D2024-01-01T00%253A00%253A00Z%26Version%3D2014-05-26',
    );
    expect(signV1('POST', params, 'testsecret')).toBe('sBxxjKM8vTyvt4tG1POfk7NK+V0=');
    expect(signV1('GET', params, 'testsecret')).toBe('3hR3/et2TJ8FbDMWkz7p+ysDEyQ=');
    expect(signV1('POST', { ...params, Signature: 'whatever' }, 'testsecret')).toBe('sBxxjKM8vTyvt4tG1POfk7NK+V0=');
  });
});
