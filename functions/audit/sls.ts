/**
 * What the saved queries and alerts share: the row shape, SLS query text helpers, and reading
 * back which log fields a query uses (tests check each is indexed and really written).
 */
import { BadInput } from '../commands/common.js';

export type Cell = string | number | boolean | null;
export type Row = Readonly<Record<string, Cell>>;

/** Every query starts here: the logstore may hold other functions' lines too. */
export const APP = 'message.app: "image-gc"';

/** `${name}` placeholders in SLS text, filled with checked values. */
export function fillParams(sls: string, params: Readonly<Record<string, string | number>>): string {
  return sls.replace(/\$\{(\w+)\}/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) throw new BadInput(`the query needs --${name}`);
    // Values go inside "..." in a search and '...' in SQL: allow no quote or backslash at all.
    if (!/^[A-Za-z0-9._:@+-]+$/.test(String(value))) throw new BadInput(`--${name} ${JSON.stringify(value)}: only letters, digits and . _ : @ + - are allowed`);
    return String(value);
  });
}

/** The `message.<field>` paths an SLS query reads, in search terms and in "quoted" SQL names. */
export function fieldsIn(sls: string): string[] {
  const found = new Set<string>();
  for (const m of sls.matchAll(/"?message\.([A-Za-z0-9_.-]*[A-Za-z0-9_-])"?/g)) found.add(m[1] as string);
  return [...found].sort();
}

/** The column aliases of the SQL part (`AS name`), in order. */
export function aliasesIn(sls: string): string[] {
  return [...sls.matchAll(/\bAS ([a-z_]+)\b/g)].map((m) => m[1] as string);
}

export const byTime = (a: { time: string }, b: { time: string }) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0);

export const round3 = (n: number) => Math.round(n * 1000) / 1000;
