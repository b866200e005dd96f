/**
 * Request authentication: V3 ACS3-HMAC-SHA256 (Authorization header) and V1 HMAC-SHA1
 * (Signature parameter), STS tokens, timestamp freshness and nonce replay.
 * Checks, in order (the first failure answers):
 *   V3: Authorization well-formed → required headers present and signed, no unsigned x-acs-* →
 *       known AccessKeyId → x-acs-content-sha256 = sha256(body) → signature → token → time → nonce.
 *   V1: common params present → known AccessKeyId → signature → token → time → nonce.
 */
import { timingSafeEqual } from 'node:crypto';
import { ApiError } from './errors.js';
import type { FleetCredential } from './fleet.js';
import { V3_ALGORITHM, parseAuthorizationV3, sha256Hex, signV1, signV3 } from './signature.js';

export interface IncomingApiRequest {
  method: string;
  /** Raw path as received (RPC: '/'). */
  pathname: string;
  /** Decoded query parameters. */
  query: Record<string, string>;
  /** Decoded application/x-www-form-urlencoded body parameters. */
  bodyParams: Record<string, string>;
  /** Header values grouped by lower-case name, as received (rawHeaders), trimmed. */
  headers: Record<string, string[]>;
  body: Buffer;
}

export type Scheme = 'v3' | 'v1';

/** V3 headers that must be present and signed (openapi-client.md §2.2.4, point 3). */
export const REQUIRED_SIGNED_HEADERS = ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'];

const V1_REQUIRED = ['AccessKeyId', 'Signature', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce', 'Timestamp'];

export function schemeOf(req: IncomingApiRequest): Scheme | null {
  if (req.headers.authorization) return 'v3';
  if ('Signature' in req.query || 'Signature' in req.bodyParams || 'AccessKeyId' in req.query) return 'v1';
  return null;
}

/**
 * Remembers signature nonces for the freshness window, so a replayed request is refused; older
 * nonces are forgotten (their requests fail the timestamp check anyway), which bounds the memory.
 */
export class NonceMemory {
  private readonly seen = new Map<string, number>();

  constructor(private readonly windowMs: () => number) {}

  /** False when the nonce was already used within the window. */
  remember(key: string, now: number): boolean {
    const cutoff = now - this.windowMs();
    for (const [k, at] of this.seen) {
      if (at >= cutoff) break; // insertion order = time order
      this.seen.delete(k);
    }
    if (this.seen.has(key)) return false;
    this.seen.set(key, now);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }
}

const incomplete = (message: string): ApiError => new ApiError(400, 'IncompleteSignature', message);

function header(req: IncomingApiRequest, name: string): string | undefined {
  const v = req.headers[name];
  return v === undefined ? undefined : [...v].sort().join(',');
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface AuthDeps {
  credentials: ReadonlyMap<string, FleetCredential>;
  nonces: NonceMemory;
  windowMs: number;
  now: number;
}

function credentialFor(deps: AuthDeps, id: string): FleetCredential {
  const c = deps.credentials.get(id);
  if (!c) throw new ApiError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
  return c;
}

function checkToken(c: FleetCredential, presented: string | undefined): void {
  if ((c.securityToken ?? undefined) === (presented || undefined)) return;
  const why = c.securityToken ? (presented ? 'does not match' : 'is missing') : 'was sent for an access key that is not an STS key';
  throw new ApiError(400, 'InvalidSecurityToken.Mismatch', `The security token ${why}.`);
}

function checkFreshness(deps: AuthDeps, accessKeyId: string, timestamp: string, nonce: string): void {
  const t = Date.parse(timestamp);
  if (Number.isNaN(t) || Math.abs(deps.now - t) > deps.windowMs) {
    throw new ApiError(400, 'IllegalTimestamp', `Specified time stamp or date value is expired (${timestamp}); it must be within ${deps.windowMs / 60000} minutes of the server's time.`);
  }
  if (!deps.nonces.remember(`${accessKeyId}\n${nonce}`, deps.now)) {
    throw new ApiError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
  }
}

function authenticateV3(req: IncomingApiRequest, deps: AuthDeps): string {
  const auth = parseAuthorizationV3(header(req, 'authorization') ?? '');
  if (!auth) throw incomplete('The Authorization header is malformed; expected "ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…".');
  if (auth.algorithm !== V3_ALGORITHM) throw incomplete(`Signature algorithm ${auth.algorithm} is not supported; use ${V3_ALGORITHM}.`);
  const signed = new Set(auth.signedHeaders);
  for (const name of REQUIRED_SIGNED_HEADERS) {
    if (req.headers[name] === undefined) throw incomplete(`The header ${name} is missing.`);
    if (!signed.has(name)) throw incomplete(`The header ${name} must be signed (SignedHeaders).`);
  }
  for (const name of Object.keys(req.headers)) {
    if (name.startsWith('x-acs-') && !signed.has(name)) throw incomplete(`The header ${name} is not in SignedHeaders; every x-acs-* header must be signed.`);
  }
  for (const name of auth.signedHeaders) {
    if (req.headers[name] === undefined) throw incomplete(`SignedHeaders names ${name}, which the request does not carry.`);
  }
  const cred = credentialFor(deps, auth.credential);
  const payloadHash = header(req, 'x-acs-content-sha256') ?? '';
  if (payloadHash !== sha256Hex(req.body)) {
    throw new ApiError(400, 'InvalidContentSha256', 'The x-acs-content-sha256 header does not match the SHA-256 of the request body.');
  }
  const expected = signV3({ method: req.method, pathname: req.pathname, query: req.query, headers: req.headers, signedHeaders: auth.signedHeaders, payloadHash }, cred.accessKeySecret);
  if (!sameString(expected.signature, auth.signature.toLowerCase())) {
    throw new ApiError(400, 'SignatureDoesNotMatch', `Specified signature is not matched with our calculation. server string to sign is:${expected.stringToSign}`);
  }
  checkToken(cred, header(req, 'x-acs-security-token'));
  checkFreshness(deps, cred.accessKeyId, header(req, 'x-acs-date') ?? '', header(req, 'x-acs-signature-nonce') ?? '');
  return cred.accessKeyId;
}

function authenticateV1(req: IncomingApiRequest, deps: AuthDeps): string {
  // The client signs query ∪ form body (body wins on a clash, as it builds the set that way).
  const params = { ...req.query, ...req.bodyParams };
  for (const name of V1_REQUIRED) {
    if (!params[name]) throw incomplete(`The parameter ${name} is missing.`);
  }
  if (params.SignatureMethod !== 'HMAC-SHA1') throw incomplete(`SignatureMethod ${params.SignatureMethod} is not supported; use HMAC-SHA1.`);
  const cred = credentialFor(deps, params.AccessKeyId!);
  const expected = signV1(req.method, params, cred.accessKeySecret);
  if (!sameString(expected, params.Signature!)) {
    throw new ApiError(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
  }
  checkToken(cred, params.SecurityToken);
  checkFreshness(deps, cred.accessKeyId, params.Timestamp!, params.SignatureNonce!);
  return cred.accessKeyId;
}

/** Throws the API's answer when the request is not properly signed; returns the AccessKeyId. */
export function authenticate(req: IncomingApiRequest, scheme: Scheme | null, deps: AuthDeps): string {
  if (scheme === 'v3') return authenticateV3(req, deps);
  if (scheme === 'v1') return authenticateV1(req, deps);
  throw incomplete('The request is not signed: send an Authorization header (ACS3-HMAC-SHA256) or the Signature parameter (HMAC-SHA1).');
}
