/**
 * Reads our server's own Prometheus metrics around a fan-out round, to split the latency the
 * clients see into "commit → emit" (inside the server: outbox relay and event-loop queueing) and
 * the rest (socket writes, the network, the client), and to show the server's event-loop lag.
 */
export type Metrics = Map<string, number>;

export async function scrape(baseUrl: string): Promise<Metrics> {
  const text = await (await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const out: Metrics = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    out.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return out;
}

/**
 * Quantile q of a Prometheus histogram's growth between two scrapes, as the upper bound of the
 * bucket it falls in (all a histogram can say). `name` is the metric without `_bucket`.
 */
export function histogramQuantile(before: Metrics, after: Metrics, name: string, q: number): number | null {
  const buckets: Array<{ le: number; n: number }> = [];
  for (const [key, value] of after) {
    const m = key.match(new RegExp(`^${name}_bucket\\{.*le="([^"]+)"`));
    if (!m) continue;
    buckets.push({ le: m[1] === '+Inf' ? Infinity : Number(m[1]), n: value - (before.get(key) ?? 0) });
  }
  buckets.sort((a, b) => a.le - b.le);
  const total = buckets.at(-1)?.n ?? 0;
  if (total <= 0) return null;
  return buckets.find((b) => b.n >= q * total)!.le;
}

export function gauge(m: Metrics, name: string): number | null {
  return m.get(name) ?? null;
}
