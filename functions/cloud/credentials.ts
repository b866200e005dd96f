/**
 * Where the client's keys come from, and which strings must never be written anywhere.
 * Facts: ../shared/reference/openapi-client.md §2.3 (default chain traps).
 */
import CredentialModule from '@alicloud/credentials';
import { cjsDefault } from './cjs-interop.js';

export type CredentialSource =
  /** Env keys, or Function Compute's `context.credentials` (STS, with securityToken). */
  | { kind: 'static'; accessKeyId: string; accessKeySecret: string; securityToken?: string }
  /** @alicloud/credentials' default chain: env, OIDC, profiles, ECS IMDS, credentials URI. */
  | { kind: 'chain' };

const Credential = cjsDefault(CredentialModule);
export type ChainCredential = InstanceType<typeof Credential>;

/** The fields openapi-client's Config takes for one credential source. */
export type CredentialConfig =
  | { accessKeyId: string; accessKeySecret: string; securityToken?: string }
  | { credential: ChainCredential };

/**
 * A new chain each time it is asked for: after one total failure the chain only ever retries its
 * last provider (`lastUsedProvider`), so the client builds a fresh one after a credentials error.
 */
export function credentialConfig(source: CredentialSource): CredentialConfig {
  if (source.kind === 'chain') return { credential: new Credential() };
  const { accessKeyId, accessKeySecret, securityToken } = source;
  return securityToken ? { accessKeyId, accessKeySecret, securityToken } : { accessKeyId, accessKeySecret };
}

/** Env names the chain's first provider reads; their values are redacted too. */
const CHAIN_SECRET_ENV = ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN'] as const;

/**
 * The strings of a source that never reach a message or a log line (key ID, key secret, STS
 * token), for the logger to redact and for the client to scrub from messages. The key ID is not
 * a secret by itself, but it names the credential and, with a leaked secret, completes it. For the chain these are only the env values it would read first;
 * secrets it fetches from IMDS or a profile are never seen by this code.
 */
export function secretValues(source: CredentialSource): string[] {
  const values =
    source.kind === 'static'
      ? [source.accessKeyId, source.accessKeySecret, source.securityToken]
      : CHAIN_SECRET_ENV.map((name) => process.env[name]);
  // Very short values would redact ordinary words; a real secret is never that short.
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v.length >= 4))];
}

