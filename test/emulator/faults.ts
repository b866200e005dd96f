/**
 * Fault injection from a seeded PRNG, so a given seed and request order always produce the same
 * faults (a failing test can be rerun). Every eligible request draws from one stream in arrival order.
 */
import type { FaultKind, Faults, Product } from './fleet.js';

/** mulberry32: tiny, fast, good enough to pick faults. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultDecision {
  kind: FaultKind;
  /**
   * Lossy kinds (reset, timeout, malformed) on a mutating action: whether the change was made
   * before the answer was lost. Always false for the others (they answer before doing anything).
   */
  applied: boolean;
}

const LOSSY: ReadonlySet<FaultKind> = new Set(['reset', 'timeout', 'malformed']);

export class FaultInjector {
  private readonly random: () => number;

  constructor(private readonly faults: Faults | undefined) {
    this.random = mulberry32(faults?.seed ?? 1);
  }

  decide(product: Product, action: string, mutating: boolean): FaultDecision | null {
    const f = this.faults;
    if (!f || f.rate <= 0 || f.kinds.length === 0) return null;
    if (f.actions && !f.actions.includes(action) && !f.actions.includes(`${product}.${action}`)) return null;
    if (this.random() >= f.rate) return null;
    const kind = f.kinds[Math.floor(this.random() * f.kinds.length)] ?? f.kinds[0]!;
    const applied = mutating && LOSSY.has(kind) ? this.random() < 0.5 : false;
    return { kind, applied };
  }
}

/** What a `malformed` answer looks like: a load balancer's HTML error page. */
export const MALFORMED_BODY =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
  '<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n';
