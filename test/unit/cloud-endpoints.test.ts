import { describe, expect, it } from 'vitest';
import { parseEndpointOverride, resolveEndpoint } from '../../functions/cloud/endpoints.js';

describe('public endpoints', () => {
  it('puts each product on its regional host', () => {
    expect(resolveEndpoint('ecs', 'cn-hangzhou')).toEqual({ host: 'ecs.cn-hangzhou.aliyuncs.com', protocol: 'https' });
    expect(resolveEndpoint('ehpc', 'cn-beijing')).toEqual({ host: 'ehpc.cn-beijing.aliyuncs.com', protocol: 'https' });
    expect(resolveEndpoint('ehpcinstant', 'ap-southeast-1')).toEqual({ host: 'ehpcinstant.ap-southeast-1.aliyuncs.com', protocol: 'https' });
    expect(resolveEndpoint('appstream', 'cn-shanghai')).toEqual({ host: 'appstream-center.cn-shanghai.aliyuncs.com', protocol: 'https' });
    expect(resolveEndpoint('appstream', 'ap-southeast-1')?.host).toBe('appstream-center.ap-southeast-1.aliyuncs.com');
  });

  it('has no appstream endpoint outside cn-shanghai and ap-southeast-1', () => {
    expect(resolveEndpoint('appstream', 'cn-hangzhou')).toBeNull();
    expect(resolveEndpoint('appstream', 'eu-central-1', { network: 'vpc' })).toBeNull();
  });

  it('refuses region ids that are not region ids', () => {
    for (const bad of ['', 'cn', 'evil.com/x', 'cn-hangzhou.attacker.net', 'CN-HANGZHOU', 'cn-hangzhou#']) {
      expect(resolveEndpoint('ecs', bad)).toBeNull();
    }
    expect(resolveEndpoint('ecs', 'cn-wuhan-lr')?.host).toBe('ecs.cn-wuhan-lr.aliyuncs.com');
  });
});

describe('VPC endpoints', () => {
  it('uses <product>-vpc.<region>, and the vpc-proxy host for appstream', () => {
    expect(resolveEndpoint('ecs', 'cn-hangzhou', { network: 'vpc' })?.host).toBe('ecs-vpc.cn-hangzhou.aliyuncs.com');
    expect(resolveEndpoint('ehpc', 'cn-hangzhou', { network: 'vpc' })?.host).toBe('ehpc-vpc.cn-hangzhou.aliyuncs.com');
    expect(resolveEndpoint('ehpcinstant', 'cn-hangzhou', { network: 'vpc' })?.host).toBe('ehpcinstant-vpc.cn-hangzhou.aliyuncs.com');
    expect(resolveEndpoint('appstream', 'cn-shanghai', { network: 'vpc' })?.host).toBe('appstream-center.vpc-proxy.aliyuncs.com');
  });
});

describe('one-URL override', () => {
  it('splits scheme from host[:port], as openapi-client wants them', () => {
    expect(parseEndpointOverride('http://127.0.0.1:8080')).toEqual({ host: '127.0.0.1:8080', protocol: 'http' });
    expect(parseEndpointOverride('https://gw.example.com')).toEqual({ host: 'gw.example.com', protocol: 'https' });
    expect(parseEndpointOverride('http://127.0.0.1:8080/')).toEqual({ host: '127.0.0.1:8080', protocol: 'http' });
    expect(parseEndpointOverride('gw.example.com:8443')).toEqual({ host: 'gw.example.com:8443', protocol: 'https' });
  });

  it('refuses paths, queries, credentials and other schemes', () => {
    for (const bad of ['http://h/x', 'http://h/?a=1', 'http://u:p@h', 'ftp://h', 'http://']) {
      expect(() => parseEndpointOverride(bad)).toThrow();
    }
  });

  it('sends every product to the one URL, but keeps the region rules', () => {
    const override = parseEndpointOverride('http://127.0.0.1:9000');
    for (const product of ['ecs', 'ehpc', 'ehpcinstant'] as const) {
      expect(resolveEndpoint(product, 'cn-hangzhou', { override })).toEqual(override);
    }
    expect(resolveEndpoint('appstream', 'cn-shanghai', { override })).toEqual(override);
    expect(resolveEndpoint('appstream', 'cn-hangzhou', { override })).toBeNull();
  });
});
