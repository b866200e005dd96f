/**
 * Request parameters: the flattened wire form (`Tag.1.Key=team`, `ResourceId.2=m-x`) turned back
 * into arrays and objects, with typed getters that answer the API's 400s on bad input.
 */
import { ApiError, invalidParameter, missingParameter } from './errors.js';

export type ParamTree = { [key: string]: ParamValue };
export type ParamValue = string | ParamValue[] | ParamTree;

/** V1 common parameters: signed, but not business parameters (kept out of the call log and handlers). */
export const V1_COMMON_PARAMS = new Set([
  'Action', 'Version', 'Format', 'AccessKeyId', 'SignatureMethod', 'SignatureVersion',
  'SignatureNonce', 'Timestamp', 'Signature', 'SecurityToken', 'SignatureType', 'BearerToken',
]);

const INDEX = /^[1-9]\d*$/;

/**
 * `{ 'Tag.1.Key': 'a', 'Tag.2.Key': 'b', 'ResourceId.1': 'm-1' }` →
 * `{ Tag: [{ Key: 'a' }, { Key: 'b' }], ResourceId: ['m-1'] }`. Indices are 1-based; gaps close up
 * (the SDK skips null array members but still consumes the index). A scalar and a nested value
 * under the same name: the nested one wins.
 */
export function unflatten(flat: Readonly<Record<string, string>>): ParamTree {
  type Node = { value?: string; children?: Map<string, Node> };
  const root: Node = { children: new Map() };
  for (const [key, value] of Object.entries(flat)) {
    let node = root;
    for (const seg of key.split('.')) {
      node.children ??= new Map();
      let next = node.children.get(seg);
      if (!next) node.children.set(seg, (next = {}));
      node = next;
    }
    node.value = value;
  }
  const build = (node: Node): ParamValue => {
    if (!node.children || node.children.size === 0) return node.value ?? '';
    const keys = [...node.children.keys()];
    if (keys.every((k) => INDEX.test(k))) {
      return keys.sort((a, b) => Number(a) - Number(b)).map((k) => build(node.children!.get(k)!));
    }
    const out: ParamTree = {};
    for (const k of keys) out[k] = build(node.children.get(k)!);
    return out;
  };
  const tree = build(root);
  return typeof tree === 'object' && !Array.isArray(tree) ? tree : {};
}

export class Params {
  readonly tree: ParamTree;

  constructor(readonly flat: Readonly<Record<string, string>>) {
    this.tree = unflatten(flat);
  }

  /** A scalar parameter; the empty string counts as absent (the SDKs never send one on purpose). */
  str(name: string): string | undefined {
    const v = this.tree[name];
    return typeof v === 'string' && v !== '' ? v : undefined;
  }

  required(name: string, onMissing: () => ApiError = () => missingParameter(name)): string {
    const v = this.str(name);
    if (v === undefined) throw onMissing();
    return v;
  }

  bool(name: string, def: boolean): boolean {
    const v = this.str(name);
    if (v === undefined) return def;
    if (/^true$/i.test(v)) return true;
    if (/^false$/i.test(v)) return false;
    throw invalidParameter(name, 'must be true or false');
  }

  /** Integer within [min, max]; anything else is InvalidParameter (or what `onBad` says). */
  int(name: string, def: number, min: number, max: number, onBad: () => ApiError = () => invalidParameter(name, `must be an integer from ${min} to ${max}`)): number {
    const v = this.str(name);
    if (v === undefined) return def;
    if (!/^-?\d+$/.test(v)) throw onBad();
    const n = Number(v);
    if (n < min || n > max) throw onBad();
    return n;
  }

  /** `Name.1`, `Name.2`, … as strings (also accepts a single `Name`). */
  list(name: string): string[] {
    const v = this.tree[name];
    if (typeof v === 'string') return v === '' ? [] : [v];
    if (!Array.isArray(v)) return [];
    return v.filter((x): x is string => typeof x === 'string' && x !== '');
  }

  /** `Name.N.Field` → `[{ Field }]` (e.g. Tag.1.Key / Tag.1.Value). */
  objects(name: string): Array<Record<string, string>> {
    const v = this.tree[name];
    if (!Array.isArray(v)) return [];
    return v
      .filter((x): x is ParamTree => typeof x === 'object' && x !== null && !Array.isArray(x))
      .map((o) => Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => typeof e[1] === 'string')));
  }

  /** A comma-separated list (`Status=Available,CreateFailed`, `ImageId=m-1,m-2`). */
  commaList(name: string): string[] {
    const v = this.str(name);
    return v === undefined ? [] : v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  }
}
