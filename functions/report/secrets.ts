/**
 * Secrets that must never reach a log line, an error message or a plan file: the credentials in
 * use and anything in the environment that looks like a credential. Redaction works on the
 * finished text as well as on known field names, so a secret that slipped into a message (the
 * HTTP library appends URLs, and a V2 URL carries the security token) is still caught.
 */

const SECRET_ENV_NAMES = /(SECRET|TOKEN|PASSWORD|ACCESS_KEY)/i;
/** Shorter values would redact ordinary words; real keys and tokens are much longer. */
const MIN_SECRET_LENGTH = 8;

export function secretsFromEnv(env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && SECRET_ENV_NAMES.test(name) && value.length >= MIN_SECRET_LENGTH) out.push(value);
  }
  return out;
}

export const REDACTED = '[REDACTED]';

/** Replaces every occurrence of every secret (raw, JSON-escaped and URL-encoded) in `text`. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)])) {
      if (out.includes(form)) out = out.split(form).join(REDACTED);
    }
  }
  return out;
}

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
