/**
 * The canonical serialisation a plan file's checksum is computed over: JSON with object keys sorted
 * (by code unit, at every depth), no whitespace, and nothing JSON cannot say exactly. Re-indenting
 * the file, or an editor reordering keys, does not change it; changing any value does.
 */

export class NotCanonical extends Error {
  override name = 'NotCanonical';
}

export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, parts, '$');
  return parts.join('');
}

function write(value: unknown, out: string[], where: string): void {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    out.push(JSON.stringify(value));
    return;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new NotCanonical(`${where}: ${value} cannot be written as JSON`);
    // -0 reads back as 0: write it as 0, so that what is read hashes like what was written.
    out.push(JSON.stringify(Object.is(value, -0) ? 0 : value));
    return;
  }
  if (Array.isArray(value)) {
    out.push('[');
    value.forEach((v, i) => {
      if (i > 0) out.push(',');
      write(v, out, `${where}[${i}]`);
    });
    out.push(']');
    return;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) throw new NotCanonical(`${where}: not a plain object`);
    // undefined-valued keys are absent in JSON, so they are absent here.
    const keys = Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    out.push('{');
    keys.forEach((k, i) => {
      if (i > 0) out.push(',');
      out.push(JSON.stringify(k), ':');
      write((value as Record<string, unknown>)[k], out, `${where}.${k}`);
    });
    out.push('}');
    return;
  }
  throw new NotCanonical(`${where}: a ${typeof value} cannot be written as JSON`);
}
