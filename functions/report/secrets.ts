/**
 * Secrets that must never reach a log line, an error message or a plan file: the credentials in
 * use and anything in the environment that looks like a credential. Redaction works on the
 * finished text as well as on known field names, so a secret that slipped into a message (the
 * HTTP library appends URLs, and a V2 URL carries the security token) is still caught.
 */

import { secretValues, type CredentialSource } from '../cloud/credentials.js';
import { MIN_SECRET_LENGTH } from '../cloud/redact.js';

const SECRET_ENV_NAMES = /(SECRET|TOKEN|PASSWORD|ACCESS_KEY)/i;

export function secretsFromEnv(env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && SECRET_ENV_NAMES.test(name) && value.length >= MIN_SECRET_LENGTH) out.push(value);
  }
  return out;
}

/** Every value a run's log and output must not show: its credentials' and the environment's. */
export function logSecrets(credentials: CredentialSource, env: NodeJS.ProcessEnv): string[] {
  return [...secretValues(credentials), ...secretsFromEnv(env)];
}

export { REDACTED } from '../cloud/redact.js';

/** Replaces every occurrence of every secret, in every spelling it can take in a message. */
export { redactor } from '../cloud/redact.js';

/** Field names whose values are credentials wherever they appear in a log object. */
export const SECRET_FIELD_PATHS = [
  'accessKeyId',
  'accessKeySecret',
  'securityToken',
  'credentials',
  'AccessKeyId',
  'AccessKeySecret',
  'SecurityToken',
  '*.accessKeyId',
  '*.accessKeySecret',
  '*.securityToken',
  '*.credentials',
  '*.AccessKeySecret',
  '*.SecurityToken',
];
