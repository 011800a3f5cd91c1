// S1 public reads: the status page's own GraphQL GET (the very request the web app's urql client
// sends), summary.json and the page's first HTML, each against a raw Node `http` server returning
// the same bytes for the same request, one after the other on the same core, same load. Requests
// carry what a browser sends (Accept-Encoding: gzip, deflate, br): the product answers them with
// its compressed bodies (made once per version), and the raw server with those same bytes.
import { request } from "node:http";
import { load, progress, startRawServer, type LoadResult, type Product } from "./lib.ts";
import { webPageRequest } from "./s6-convergence.ts";

// The web app's own query (web/src/page-queries.ts), as a fallback when its client cannot be loaded.
export const PAGE_QUERY = `query StatusPage($slug: String!) { statusPage(slug: $slug) { cursor organization { slug name }
  status { indicator description updatedAt }
  services { id name description group status statusSince uptime(days: 90) { date operationalRatio worstStatus } }
  activeIncidents { ...PublicIncident } recentIncidents(days: 14) { ...PublicIncident }
  maintenances { id title description status scheduledStart scheduledEnd services { id name } } } }
fragment PublicIncident on Incident { id title status createdAt resolvedAt affectedServices { service { id name } toStatus } updates { id status message createdAt } }`;

/** What a browser adds to every request. */
export const BROWSER_ENCODINGS = { "accept-encoding": "gzip, deflate, br" };

export interface ReadResult {
  read: string;
  product: LoadResult;
  raw: LoadResult;
  /** product req/s ÷ raw req/s: the target is ≥ 0.5. */
  ratio: number;
  /**
   * Latency at a rate both can sustain, 64 connections each pausing between requests so that
   * together they offer about half the raw server's maximum (the S1 throughput target): at
   * saturation a p99 measures the queue wrk builds, and even raw Node's is tens of milliseconds
   * there (docs/PERFORMANCE.md, "S1's p99").
   */
  paced: { offered: number; product: LoadResult; raw: LoadResult };
  /** Bytes on the wire (compressed as served), and before compression. */
  bytes: number;
  encoding: string | null;
}

/** One GET, bytes as they came (no decompression). */
function getRaw(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/**
 * `rounds` > 1 alternates product and raw in rounds of `seconds` each and keeps the round with the
 * median ratio: on a machine shared with other work, load that comes and goes then hits both sides.
 */
export async function publicReads(product: Product, { seconds, rounds = 1 }: { seconds: number; rounds?: number }): Promise<ReadResult[]> {
  const page = await webPageRequest("dance");
  if (page.method !== "GET") throw new Error(`the web app loads its page with ${page.method}, not a cacheable GET`);
  const reads = [
    { read: "page GraphQL GET", path: page.path, headers: { ...page.headers, ...BROWSER_ENCODINGS } },
    { read: "summary.json", path: "/api/v2/dance/summary.json", headers: { accept: "application/json", ...BROWSER_ENCODINGS } },
    { read: "page first HTML", path: "/status/dance", headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8", ...BROWSER_ENCODINGS } },
  ];
  const results: ReadResult[] = [];
  for (const { read, path, headers } of reads) {
    const response = await getRaw(product.url + path, headers);
    if (response.status !== 200) throw new Error(`${read}: HTTP ${response.status}`);
    const encoding = (response.headers["content-encoding"] as string | undefined) ?? null;
    const raw = await startRawServer(response.body, String(response.headers["content-type"] ?? "application/json"), encoding ? { "content-encoding": encoding } : {});
    const measured: { product: LoadResult; raw: LoadResult; ratio: number }[] = [];
    try {
      for (let round = 1; round <= rounds; round++) {
        const of = rounds > 1 ? ` (round ${round}/${rounds})` : "";
        progress(`S1 ${read}: product, ${seconds} s at 64 connections (${response.body.length} bytes${encoding ? `, ${encoding}` : ""})${of}`);
        const productLoad = load(product.url + path, { seconds, headers });
        progress(`S1 ${read}: raw Node http, same request, same ${response.body.length} bytes${of}`);
        const rawLoad = load(raw.url + path, { seconds, headers });
        measured.push({ product: productLoad, raw: rawLoad, ratio: productLoad.requestsPerSecond / rawLoad.requestsPerSecond });
      }
      const middle = measured.sort((x, y) => x.ratio - y.ratio)[Math.floor(measured.length / 2)]!;
      const offered = Math.round(middle.raw.requestsPerSecond / 2);
      const pauseMs = (64 * 1000) / offered;
      progress(`S1 ${read}: latency at about ${offered} req/s (half the raw maximum), product then raw`);
      const paced = { offered, product: load(product.url + path, { seconds, headers, pauseMs }), raw: load(raw.url + path, { seconds, headers, pauseMs }) };
      results.push({ read, ...middle, paced, bytes: response.body.length, encoding });
    } finally {
      await raw.stop();
    }
  }
  return results;
}
