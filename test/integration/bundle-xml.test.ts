/**
 * The build loads openapi-client's XML parser on first use instead of at import (scripts/build.ts,
 * lazyRequires). Bundled the way the build bundles it, an error answered as text/xml must still be
 * parsed into its code: the one path that parser serves.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ROOT, lazyRequires } from '../../scripts/build.js';
import { runProcess, tempDir } from '../support/e2e.js';

const CALL = `
const OpenApi = require('@alicloud/openapi-client');
const Util = require('@alicloud/tea-util');
const client = new OpenApi.default(new OpenApi.Config({ accessKeyId: 'id', accessKeySecret: 'secret', endpoint: process.env.ENDPOINT, protocol: 'http' }));
const params = new OpenApi.Params({ action: 'DescribeImages', version: '2014-05-26', protocol: 'HTTP', pathname: '/', method: 'POST', authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json' });
client.callApi(params, new OpenApi.OpenApiRequest({ query: { RegionId: 'cn-hangzhou' } }), new Util.RuntimeOptions({})).then(
  () => console.log(JSON.stringify({ ok: true })),
  (e) => console.log(JSON.stringify({ code: e.code, statusCode: e.statusCode })),
);`;

let server: Server;
let bundle: string;

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(400, { 'content-type': 'text/xml;charset=utf-8' });
    res.end('<?xml version="1.0" encoding="UTF-8"?><Error><RequestId>R-1</RequestId><HostId>ecs</HostId><Code>XmlAnsweredCode</Code><Message>from xml</Message></Error>');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  bundle = join(tempDir('image-gc-xml-'), 'call.js');
  await build({ stdin: { contents: CALL, resolveDir: ROOT, loader: 'js' }, outfile: bundle, bundle: true, platform: 'node', target: 'node20', format: 'cjs', plugins: [lazyRequires], logLevel: 'error' });
});
afterAll(() => {
  server.close();
});

it('parses an error answered as XML after the lazy load', async () => {
  const port = (server.address() as AddressInfo).port;
  const r = await runProcess(process.execPath, [bundle], { PATH: process.env['PATH'], ENDPOINT: `127.0.0.1:${port}` });
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual({ code: 'XmlAnsweredCode', statusCode: 400 });
});
