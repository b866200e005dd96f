/**
 * Turns a node HTTP request into what authentication and the handlers need: decoded query and
 * form-body parameters, headers grouped as received, and the raw body bytes (for the V3 payload hash).
 */
import type { IncomingMessage } from 'node:http';
import type { IncomingApiRequest } from './auth.js';

export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export class BodyTooLarge extends Error {}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge(`request body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** First value wins for a repeated name; `+` means space (URLSearchParams), as querystring.stringify never sends a bare `+`. */
function decodePairs(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(raw)) if (!Object.hasOwn(out, k)) out[k] = v;
  return out;
}

export function splitUrl(url: string): { pathname: string; rawQuery: string } {
  const q = url.indexOf('?');
  return q < 0 ? { pathname: url, rawQuery: '' } : { pathname: url.slice(0, q), rawQuery: url.slice(q + 1) };
}

export function toApiRequest(req: IncomingMessage, body: Buffer): IncomingApiRequest {
  const { pathname, rawQuery } = splitUrl(req.url ?? '/');
  const headers: Record<string, string[]> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    (headers[req.rawHeaders[i]!.toLowerCase()] ??= []).push(req.rawHeaders[i + 1]!.trim());
  }
  const isForm = (headers['content-type']?.[0] ?? '').toLowerCase().includes('application/x-www-form-urlencoded');
  return {
    method: req.method ?? 'GET',
    pathname,
    query: decodePairs(rawQuery),
    bodyParams: isForm ? decodePairs(body.toString('utf8')) : {},
    headers,
    body,
  };
}

/** The region in a regional host name: ecs.cn-hangzhou.aliyuncs.com, ecs-cn-hangzhou.aliyuncs.com. '' otherwise. */
export function hostRegion(host: string): string {
  const name = host.replace(/:\d+$/, '').toLowerCase();
  if (!name.endsWith('.aliyuncs.com')) return '';
  const labels = name.split('.');
  const candidate = labels.length >= 4 ? labels[1]! : (/^[a-z]+-([a-z]{2,3}-[a-z0-9-]+)$/.exec(labels[0]!)?.[1] ?? '');
  return /^[a-z]{2,3}-[a-z0-9-]+$/.test(candidate) && candidate !== 'vpc-proxy' ? candidate : '';
}
