// S1 public reads: the status page's own GraphQL GET and summary.json, each against a raw Node
// `http` server returning the same bytes, one after the other on the same core, same load.
import { load, progress, startRawServer, type LoadResult, type Product } from "./lib.ts";

// The web app's own query (web/src/routes/StatusPage.tsx), sent as a GET.
export const PAGE_QUERY = `query StatusPage($slug: String!) { statusPage(slug: $slug) { organization { slug name }
  status { indicator description updatedAt }
  services { id name description group status statusSince uptime(days: 90) { date operationalRatio worstStatus } }
  activeIncidents { ...PublicIncident } recentIncidents(days: 14) { ...PublicIncident }
  maintenances { id title description status scheduledStart scheduledEnd services { id name } } } }
fragment PublicIncident on Incident { id title status createdAt resolvedAt affectedServices { service { id name } toStatus } updates { id status message createdAt } }`;

export interface ReadResult {
  read: string;
  product: LoadResult;
  raw: LoadResult;
  /** product req/s ÷ raw req/s: the target is ≥ 0.5. */
  ratio: number;
  bytes: number;
}

export async function publicReads(product: Product, { seconds }: { seconds: number }): Promise<ReadResult[]> {
  const reads = [
    { read: "page GraphQL GET", path: `/graphql/public?query=${encodeURIComponent(PAGE_QUERY)}&variables=${encodeURIComponent(JSON.stringify({ slug: "dance" }))}` },
    { read: "summary.json", path: "/api/v2/dance/summary.json" },
  ];
  const results: ReadResult[] = [];
  for (const { read, path } of reads) {
    const response = await fetch(product.url + path, { headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(`${read}: HTTP ${response.status}`);
    const body = Buffer.from(await response.arrayBuffer());
    progress(`S1 ${read}: product, ${seconds} s at 64 connections`);
    const productLoad = load(product.url + path, { seconds });
    const raw = await startRawServer(body, response.headers.get("content-type") ?? "application/json");
    progress(`S1 ${read}: raw Node http, same ${body.length} bytes`);
    const rawLoad = load(raw.url + "/", { seconds });
    await raw.stop();
    results.push({ read, product: productLoad, raw: rawLoad, ratio: productLoad.requestsPerSecond / rawLoad.requestsPerSecond, bytes: body.length });
  }
  return results;
}
