/**
 * Alibaba Cloud request signatures, written from the documented canonicalisation
 * (shared/reference/alibaba-openapi.md §6, openapi-client.md §2.2) with node:crypto only.
 * The emulator must not import any @alicloud package: this file is the independent check
 * that the client signs what the cloud expects. Known-answer vectors: test/unit/emulator-signature.test.ts.
 */
import { createHash, createHmac } from 'node:crypto';

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const V3_ALGORITHM = 'ACS3-HMAC-SHA256';

/** RFC 3986 percent-encoding as the SDKs do it: encodeURIComponent plus !'()* escaped; `~` stays. */
export function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

// ---------------------------------------------------------------- V3 (ACS3-HMAC-SHA256)

/** Decoded query params -> `key=encode(value)` sorted by key (JS sort); keys are not encoded (as the SDK). */
export function canonicalQueryV3(query: Readonly<Record<string, string | undefined | null>>): string {
  return Object.keys(query)
    .sort()
    .map((k) => `${k}=${query[k] == null ? '' : percentEncode(query[k] as string)}`)
    .join('&');
}

/** The SDK's CanonicalURI: `+`→%20, `*`→%2A, %7E→`~` (RPC paths are `/`). */
export function canonicalUriV3(pathname: string): string {
  return pathname.replace(/\+/g, '%20').replace(/\*/g, '%2A').replace(/%7E/g, '~');
}

/** Headers grouped by lower-case name; each value trimmed. Multiple values are sorted and comma-joined. */
export type HeaderValues = Readonly<Record<string, readonly string[]>>;

/** Groups headers the way the SDK does (names lower-cased, values trimmed). */
export function groupHeaders(headers: Readonly<Record<string, string | readonly string[]>>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, v] of Object.entries(headers)) {
    const key = name.toLowerCase();
    const values = typeof v === 'string' ? [v] : [...v];
    (out[key] ??= []).push(...values.map((x) => x.trim()));
  }
  return out;
}

/** Which headers the SDK signs: every x-acs-*, plus host and content-type; sorted. */
export function signableHeaderNames(headers: HeaderValues): string[] {
  return Object.keys(headers)
    .filter((n) => n.startsWith('x-acs-') || n === 'host' || n === 'content-type')
    .sort();
}

export function canonicalHeadersV3(headers: HeaderValues, signedNames: readonly string[]): string {
  return signedNames.map((n) => `${n}:${[...(headers[n] ?? [])].sort().join(',')}\n`).join('');
}

export interface V3Input {
  /** As signed; the SDK signs the literal string 'undefined' when the method is unset. */
  method: string;
  pathname: string;
  query: Readonly<Record<string, string | undefined | null>>;
  headers: HeaderValues;
  /** Lower-case names in the order they appear in SignedHeaders. Default: signableHeaderNames(headers). */
  signedHeaders?: readonly string[];
  /** Lower-case hex SHA-256 of the body. */
  payloadHash: string;
}

export function canonicalRequestV3(input: V3Input): { canonicalRequest: string; signedHeaders: string } {
  const names = input.signedHeaders ?? signableHeaderNames(input.headers);
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    input.method,
    canonicalUriV3(input.pathname),
    canonicalQueryV3(input.query),
    canonicalHeadersV3(input.headers, names),
    signedHeaders,
    input.payloadHash,
  ].join('\n');
  return { canonicalRequest, signedHeaders };
}

export interface V3Result {
  canonicalRequest: string;
  stringToSign: string;
  signedHeaders: string;
  /** Lower-case hex. */
  signature: string;
}

export function signV3(input: V3Input, secret: string): V3Result {
  const { canonicalRequest, signedHeaders } = canonicalRequestV3(input);
  const stringToSign = `${V3_ALGORITHM}\n${sha256Hex(canonicalRequest)}`;
  const signature = createHmac('sha256', secret).update(stringToSign).digest('hex');
  return { canonicalRequest, stringToSign, signedHeaders, signature };
}

export function authorizationV3(accessKeyId: string, r: Pick<V3Result, 'signedHeaders' | 'signature'>): string {
  return `${V3_ALGORITHM} Credential=${accessKeyId},SignedHeaders=${r.signedHeaders},Signature=${r.signature}`;
}

export interface ParsedAuthorization {
  algorithm: string;
  credential: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses `ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…`; null when malformed. */
export function parseAuthorizationV3(header: string): ParsedAuthorization | null {
  const m = /^(\S+)\s+(.*)$/.exec(header.trim());
  if (!m) return null;
  const fields: Record<string, string> = {};
  for (const part of (m[2] ?? '').split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  const { Credential: credential, SignedHeaders: signed, Signature: signature } = fields;
  if (!credential || !signed || !signature) return null;
  return { algorithm: m[1] ?? '', credential, signedHeaders: signed.split(';').map((s) => s.trim().toLowerCase()), signature };
}

// ---------------------------------------------------------------- V1 (HMAC-SHA1, "signature v2" in the SDK)

/** `METHOD&%2F&encode(sorted encode(k)=encode(v) joined by &)`, every param except Signature. */
export function stringToSignV1(method: string, params: Readonly<Record<string, string>>): string {
  const canonical = Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k] ?? '')}`)
    .join('&');
  return `${method}&${percentEncode('/')}&${percentEncode(canonical)}`;
}

/** Base64 HMAC-SHA1 with key `secret + '&'`. */
export function signV1(method: string, params: Readonly<Record<string, string>>, secret: string): string {
  return createHmac('sha1', `${secret}&`).update(stringToSignV1(method, params)).digest('base64');
}
