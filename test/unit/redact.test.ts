/** Secrets out of text, in every spelling they take on the way into a message. */
import { describe, expect, it } from 'vitest';
import { redactSecrets, secretForms } from '../../functions/cloud/redact.js';

const TOKEN = "CAIS+gF1/q6Ft5=B2y*f(S)j!I'r5";
const KEY_ID = 'LTAI5tQ8mZr3XkWnV9pYdE2s';

describe('redactSecrets', () => {
  it.each([
    ['raw', TOKEN],
    ['JSON-escaped', JSON.stringify(`a"${TOKEN}`).slice(1, -1)],
    ['percent-encoded once', encodeURIComponent(TOKEN)],
    ['percent-encoded twice', encodeURIComponent(encodeURIComponent(TOKEN))],
    ['RFC 3986 encoded twice, as a string to sign has it', encodeURIComponent(encodeURIComponent(TOKEN).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))],
  ])('finds the token %s', (_name, text) => {
    expect(redactSecrets(`before ${text} after`, [TOKEN])).not.toMatch(/CAIS/);
  });

  it("cuts a server's echoed string to sign whole", () => {
    const message = `Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3D${KEY_ID}%26Action%3DDescribeImages`;
    expect(redactSecrets(message, [])).toBe('Specified signature is not matched with our calculation. server string to sign is: [REDACTED]');
  });

  it('leaves short values and ordinary text alone', () => {
    expect(redactSecrets('image m-1 in cn-hangzhou', ['m-1', 'hangzhou'])).toBe('image m-1 in cn-[REDACTED]');
    expect(secretForms('abc').length).toBeGreaterThan(0);
  });
});
