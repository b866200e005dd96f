/**
 * YAML text to plain data, remembering where every key and value was written, and collecting
 * every YAML problem instead of stopping at the first.
 *
 * Hostile input is expected (a policy file is the one thing an operator hand-edits):
 * - nesting is measured on the parser's token tree with an explicit stack *before* the composer
 *   (which recurses) runs, so 100k nested `[` or `- - - …` cannot overflow the stack;
 * - aliases are expanded here, not by yaml's toJS, with a budget (MAX_ALIAS_COUNT uses,
 *   MAX_ALIAS_EXPANSION nodes) so a "billion laughs" document is refused at the alias that
 *   crossed the line; a self-referencing alias is refused too;
 * - the version is pinned to YAML 1.2 with the core schema: `yes`, `no`, `on`, `off` are text, not
 *   booleans; `%YAML`/`%TAG` directives and tags other than the core ones (!!str, !!int …) are
 *   refused, so nothing can switch the document into YAML 1.1 or build non-plain values;
 * - keys are set with defineProperty, so a `__proto__` key is an ordinary (unknown) key;
 * - duplicate keys are errors (checked here in linear time, not by yaml's uniqueKeys, which is
 *   quadratic).
 */
import {
  Composer,
  LineCounter,
  Parser,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type CST,
} from 'yaml';

export type PathSegment = string | number;

export const MAX_DEPTH = 64;
export const MAX_ALIAS_COUNT = 100;
export const MAX_ALIAS_EXPANSION = 1000;

const CORE_TAGS = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`),
);

export interface SourceProblem {
  readonly offset: number;
  readonly message: string;
}

interface Place {
  readonly path: readonly PathSegment[];
  /** Where the key was written, for entries of a mapping. */
  readonly key?: number;
  /** Where the value starts (or the key, when the value is empty). */
  readonly value: number;
  /** Where the value ends, for finding the innermost entry at an offset. */
  readonly end: number;
}

export const pathKey = (path: readonly PathSegment[]): string => JSON.stringify(path);

/** Where each path of the converted value was written. */
export class SourceMap {
  private readonly places = new Map<string, Place>();

  record(place: Place): void {
    this.places.set(pathKey(place.path), place);
  }

  /**
   * The offset to report for `path`: its key, its value, or the mapping that should contain it
   * (for a missing key). A path that was never written falls back to its nearest written ancestor.
   */
  offsetOf(path: readonly PathSegment[], at: 'key' | 'value' | 'parent'): number {
    let target = at === 'parent' ? path.slice(0, -1) : path;
    let mode = at === 'parent' ? 'value' : at;
    for (;;) {
      const place = this.places.get(pathKey(target));
      if (place) return mode === 'key' ? (place.key ?? place.value) : place.value;
      if (target.length === 0) return 0;
      target = target.slice(0, -1);
      mode = 'value';
    }
  }

  /**
   * For each offset, the innermost written path whose text contains it, for naming YAML errors.
   * One sweep over both sorted lists, because a garbage file can have as many errors as nodes.
   */
  pathsAt(offsets: readonly number[]): Array<readonly PathSegment[]> {
    const startOf = (p: Place) => p.key ?? p.value;
    const places = [...this.places.values()].sort((a, b) => startOf(a) - startOf(b) || a.path.length - b.path.length);
    const order = offsets.map((offset, index) => ({ offset, index })).sort((a, b) => a.offset - b.offset);
    const answers: Array<readonly PathSegment[]> = offsets.map(() => []);
    // Places open at the current offset; written ranges nest, so the top is the innermost.
    const open: Place[] = [];
    let next = 0;
    for (const { offset, index } of order) {
      while (next < places.length && startOf(places[next]!) <= offset) {
        const place = places[next++]!;
        while (open.length > 0 && open[open.length - 1]!.end < startOf(place)) open.pop();
        open.push(place);
      }
      while (open.length > 0 && open[open.length - 1]!.end < offset) open.pop();
      answers[index] = open[open.length - 1]?.path ?? [];
    }
    return answers;
  }
}

export interface YamlRead {
  /** The document as plain data; undefined when it was not composed (too deep, several documents). */
  readonly value: unknown;
  readonly problems: readonly SourceProblem[];
  readonly map: SourceMap;
  readonly lineCounter: LineCounter;
}

/** Token-level facts gathered without recursion: document starts, directives, first too-deep collection. */
function inspectTokens(tokens: readonly CST.Token[]) {
  const documents: number[] = [];
  const directives: number[] = [];
  let tooDeep: number | null = null;
  const stack: Array<{ token: CST.Token | null | undefined; depth: number }> = [];
  for (const token of tokens) {
    if (token.type === 'directive') directives.push(token.offset);
    if (token.type === 'document') {
      documents.push(token.offset);
      stack.push({ token: token.value, depth: 0 });
    }
  }
  while (stack.length > 0 && tooDeep === null) {
    const { token, depth } = stack.pop()!;
    if (!token) continue;
    if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      if (depth + 1 > MAX_DEPTH) tooDeep = token.offset;
      for (const item of token.items as ReadonlyArray<{ key?: CST.Token | null; value?: CST.Token }>) {
        stack.push({ token: item.key, depth: depth + 1 }, { token: item.value, depth: depth + 1 });
      }
    }
  }
  return { documents, directives, tooDeep };
}

export function readYaml(text: string): YamlRead {
  const lineCounter = new LineCounter();
  const map = new SourceMap();
  const problems: SourceProblem[] = [];
  const result = (value: unknown): YamlRead => ({ value, problems, map, lineCounter });

  const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
  const { documents, directives, tooDeep } = inspectTokens(tokens);
  for (const offset of directives) {
    problems.push({ offset, message: 'YAML directives (%YAML, %TAG) are not allowed: a policy is always YAML 1.2' });
  }
  if (tooDeep !== null) {
    problems.push({ offset: tooDeep, message: `nested more than ${MAX_DEPTH} levels deep; a policy is never this deep` });
    return result(undefined);
  }

  const composer = new Composer({
    version: '1.2',
    schema: 'core',
    customTags: [],
    merge: false,
    // Duplicate keys are found by the converter instead: yaml's own check compares every key
    // with every other (20,000 keys took 2.8 s), which a 1 MiB file could turn into minutes.
    uniqueKeys: false,
    prettyErrors: false,
    strict: true,
  });
  const docs = Array.from(composer.compose(tokens, true, text.length));
  for (const doc of docs) {
    for (const e of [...doc.errors, ...doc.warnings]) {
      problems.push({ offset: e.pos[0], message: `YAML: ${e.message}` });
    }
  }
  if (documents.length > 1) {
    problems.push({
      offset: documents[1]!,
      message: 'a policy file holds one YAML document; this starts a second one (remove it, or move it to its own file)',
    });
    return result(undefined);
  }
  const doc = docs[0];
  if (!doc) return result(null);
  return result(new Converter(map, problems, lineCounter).convert(doc.contents, [], 0));
}

/** Turns the composed document into plain data, expanding aliases under a budget. */
class Converter {
  private readonly anchors = new Map<string, unknown>();
  private readonly inProgress = new Set<unknown>();
  private aliasUses = 0;
  private expandedNodes = 0;
  private expanding = 0;
  private refused = false;
  private overBudget: string | null = null;

  constructor(
    private readonly map: SourceMap,
    private readonly problems: SourceProblem[],
    private readonly lineCounter: LineCounter,
  ) {}

  private problem(offset: number, message: string): void {
    this.problems.push({ offset, message });
  }

  convert(node: unknown, path: PathSegment[], depth: number, keyOffset?: number): unknown {
    if (node === null || node === undefined) {
      this.map.record({ path, key: keyOffset, value: keyOffset ?? 0, end: keyOffset ?? 0 });
      return null;
    }
    const range = (node as { range?: [number, number, number] }).range ?? [0, 0, 0];
    if (isAlias(node)) return this.expandAlias(node, range, path, depth, keyOffset);

    const emptyScalar = isScalar(node) && node.value === null && (node as { source?: string }).source === '';
    const valueOffset = emptyScalar && keyOffset !== undefined ? keyOffset : range[0];
    this.map.record({ path, key: keyOffset, value: valueOffset, end: range[1] });

    const anchor = (node as { anchor?: string }).anchor;
    if (anchor && this.expanding === 0) this.anchors.set(anchor, node);
    if (this.expanding > 0 && (this.overBudget !== null || ++this.expandedNodes > MAX_ALIAS_EXPANSION)) return null;
    if (depth > MAX_DEPTH) {
      this.problem(range[0], `nested more than ${MAX_DEPTH} levels deep (through aliases)`);
      return null;
    }
    const tag = (node as { tag?: string }).tag;
    if (tag !== undefined && !CORE_TAGS.has(tag)) {
      const shown = tag.replace(/^tag:yaml\.org,2002:/, '!!');
      this.problem(range[0], `the tag ${shown} is not allowed in a policy (only plain YAML 1.2 values)`);
      return null;
    }

    if (isScalar(node)) {
      const v = node.value;
      if (v === null || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v;
      this.problem(range[0], 'this value is not plain text, a number, true/false or null');
      return null;
    }
    if (isMap(node) || isPair(node)) {
      this.inProgress.add(node);
      const pairs = isPair(node) ? [node] : node.items;
      const out: Record<string, unknown> = {};
      for (const pair of pairs) {
        const key = this.keyOf(pair.key);
        if (key === null) continue;
        if (Object.hasOwn(out, key.text)) {
          const first = this.map.offsetOf([...path, key.text], 'key');
          this.duplicateKey(key.offset, key.text, first);
        }
        Object.defineProperty(out, key.text, {
          value: this.convert(pair.value, [...path, key.text], depth + 1, key.offset),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      this.inProgress.delete(node);
      return out;
    }
    if (isSeq(node)) {
      this.inProgress.add(node);
      const out = node.items.map((item, i) => this.convert(item, [...path, i], depth + 1));
      this.inProgress.delete(node);
      return out;
    }
    this.problem(range[0], 'this YAML node is not supported in a policy');
    return null;
  }

  private duplicateKey(offset: number, key: string, firstOffset: number): void {
    const { line } = this.lineCounter.linePos(firstOffset);
    this.problem(offset, `duplicate key '${key}' (first written on line ${line}): a key may appear only once in a mapping`);
  }

  private expandAlias(
    alias: { source: string },
    range: [number, number, number],
    path: PathSegment[],
    depth: number,
    keyOffset: number | undefined,
  ): unknown {
    this.map.record({ path, key: keyOffset, value: range[0], end: range[1] });
    if (this.refused || (this.overBudget !== null && this.expanding > 0)) return null;
    const target = this.anchors.get(alias.source);
    if (target === undefined) {
      this.problem(range[0], `the alias *${alias.source} refers to no anchor &${alias.source} before it`);
      return null;
    }
    if (this.inProgress.has(target)) {
      this.problem(range[0], `the alias *${alias.source} refers to a node that contains it`);
      return null;
    }
    let value: unknown = null;
    if (++this.aliasUses > MAX_ALIAS_COUNT) {
      this.overBudget ??= `more than ${MAX_ALIAS_COUNT} alias expansions; refusing to expand more (a policy never needs this many)`;
    } else {
      this.expanding++;
      value = this.convert(target, path, depth, keyOffset);
      this.expanding--;
      if (this.expandedNodes > MAX_ALIAS_EXPANSION) {
        this.overBudget ??= `aliases expand to more than ${MAX_ALIAS_EXPANSION} nodes; refusing to expand them (an "alias bomb")`;
      }
    }
    if (this.overBudget !== null) {
      // Reported once, at the alias written in the document body that set the expansion off.
      if (this.expanding === 0) {
        this.refused = true;
        this.problem(range[0], this.overBudget);
      }
      return null;
    }
    // Positions inside the value are the anchor's; the path itself is where the alias was written.
    this.map.record({ path, key: keyOffset, value: range[0], end: range[1] });
    return value;
  }

  /** A mapping key as text. Numbers and booleans keep their spelling (`2024: x` is the key "2024"). */
  private keyOf(key: unknown): { text: string; offset: number } | null {
    const offset = (key as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
    if (key === null || key === undefined) {
      this.problem(offset, 'a key cannot be empty');
      return null;
    }
    if (isAlias(key)) {
      const target = this.anchors.get(key.source);
      if (isScalar(target) && typeof target.value === 'string') return { text: target.value, offset };
      this.problem(offset, 'a key must be plain text (an alias here must name a text anchor)');
      return null;
    }
    if (!isScalar(key)) {
      this.problem(offset, 'a key must be plain text, not a list or mapping');
      return null;
    }
    if (key.value === null) {
      this.problem(offset, 'a key cannot be empty or null');
      return null;
    }
    if (typeof key.value === 'string') return { text: key.value, offset };
    return { text: (key as { source?: string }).source ?? String(key.value), offset };
  }
}
