/**
 * Taking secrets out of text: every form a secret takes on its way into a message. The HTTP
 * library appends request URLs to its errors (a V2 URL holds the key ID and the STS token, once
 * percent-encoded), and ECS answers a V1/V2 signature mismatch with its own string to sign, where
 * the same values are percent-encoded twice. A redaction that knows only the raw value misses both.
 */

export const REDACTED = '[REDACTED]';
/** Shorter values would redact ordinary words; real key IDs, secrets and tokens are much longer. */
export const MIN_SECRET_LENGTH = 8;

/** RFC 3986 percent-encoding as Alibaba's signers write it (`*` and `'()!` encoded too). */
function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The spellings a secret can have in a message, longest first so no partial replacement hides one. */
export function secretForms(secret: string): string[] {
  const once = [encodeURIComponent(secret), percentEncode(secret)];
  const twice = once.flatMap((f) => [encodeURIComponent(f), percentEncode(f)]);
  const forms = new Set([secret, JSON.stringify(secret).slice(1, -1), ...once, ...twice]);
  return [...forms].sort((a, b) => b.length - a.length);
}

/** The server's string to sign, echoed in a SignatureDoesNotMatch message: all of it goes. */
const STRING_TO_SIGN = /(string[ _-]?to[ _-]?sign(?: is)?\s*[:=])[\s\S]*/i;

/**
 * A redaction for a fixed set of secrets, with every secret's spellings worked out once: the audit
 * log runs one over each line it writes, and 100,000 decision lines must not redo six encodings,
 * a set and a sort per secret per line.
 */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const forms = secrets.filter((s) => s.length >= MIN_SECRET_LENGTH).flatMap(secretForms);
  return (text) => {
    let out = text.replace(STRING_TO_SIGN, `$1 ${REDACTED}`);
    for (const form of forms) {
      if (out.includes(form)) out = out.split(form).join(REDACTED);
    }
    return out;
  };
}

export function redactSecrets(text: string, secrets: readonly string[]): string {
  return redactor(secrets)(text);
}
