// Public GraphQL GETs answered from memory: the serialised answer of an execution is kept,
// keyed by the request's query string and Accept header, together with the published
// snapshots it read (Query.statusPage records them in ctx.published). It is served while every
// one of those snapshots is still its page's current version (published-pages.ts keeps that
// within a second of the log), so a cached answer is never staler than a fresh execution would
// be. Errors, and answers that read nothing versioned (an unknown slug, introspection), are
// never cached. Docs: docs/adr/0013-published-pages.md.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Kind, OperationTypeNode, parse } from "graphql";
import type { YogaServerInstance } from "graphql-yoga";
import type { Context, PublishedReads } from "../../context.ts";
import type { PublishedPages, Snapshot } from "./published-pages.ts";
import { publicHeaders } from "../../lib/http-guards.ts";
import { Representation, sendRepresentation } from "./representation.ts";

/** A snapshot an answer read: its id (holding the snapshot itself would pin old versions) and log position. */
export interface Read {
  organizationId: string;
  snapshotId: number;
  position: bigint;
}

interface Cached {
  key: CacheKey;
  rep: Representation;
  /** The snapshots it read, by id: holding the snapshots themselves would pin old versions. */
  reads: Read[];
  bytes: number;
  /** When it last moved to the recent end of the LRU order (ms). */
  touchedAt: number;
}

/** The content type of an answer depends on Accept; the encoding on Accept-Encoding. */
const VARY = "Accept, Accept-Encoding";

/**
 * `v=<cursor>`: the page version a viewer asks for after an event carrying that cursor (docs/adr/0016).
 * It only makes the URL unique to that version (a CDN may keep the answer) and makes the server
 * answer that version or a later one.
 */
const VERSION_PARAM = /(?:^|&)v=(\d{16})(?=&|$)/;

/** Answers to a versioned URL that show that version (or a later one) never become wrong for it. */
export const VERSIONED_CACHE_CONTROL = "public, max-age=60, immutable";

/** The version a query string asks for, or null. */
export function versionOf(search: string): bigint | null {
  if (!search.startsWith("v=") && !search.includes("&v=")) return null;
  const match = VERSION_PARAM.exec(search);
  return match ? BigInt(match[1]!) : null;
}

/**
 * A GET's cache key: its Accept header and its query string (without `v`). A page query's string
 * is ~1.5 KB, and hashing that much per request was 8 % of a hit's time: lookups hash only its
 * length and last characters (`bucket`, where the variables sit) and then compare the whole
 * string (a memory compare); `id` joins both in full only where one string is needed (misses, LRU).
 */
export class CacheKey {
  private joined: string | null = null;
  readonly bucket: string;
  constructor(
    readonly accept: string,
    readonly search: string,
  ) {
    this.bucket = search.length > BUCKET_TAIL ? `${search.length}|${search.slice(-BUCKET_TAIL)}` : search;
  }

  get id(): string {
    return (this.joined ??= `${this.accept}\n${this.search}`);
  }
}

const BUCKET_TAIL = 48;
/** Keys sharing a bucket (client input may make them): at most this many are kept, oldest out. */
const MAX_PER_BUCKET = 8;

export class PublicResponseCache {
  /** By id, least recently used first (store and eviction). */
  private readonly entries = new Map<string, Cached>();
  /** By Accept, then bucket of the query string: the lookup of every request. */
  private readonly index = new Map<string, Map<string, Cached[]>>();
  private totalBytes = 0;
  /** Executions stored (tests). */
  stored = 0;
  /** Executions started (tests: a burst of misses of one key causes one). */
  executions = 0;
  /** Executions under way, by key id, with the pages' epoch they began in. */
  readonly inflight = new Map<string, { epoch: number; flight: Promise<Executed> }>();

  /** The published pages' change epoch (see PublishedPages.epoch). */
  epoch(): number {
    return this.pages.epoch;
  }

  constructor(
    readonly pages: PublishedPages,
    private readonly maxBytes = 32 * 1024 * 1024,
  ) {}

  /** The cache key of a GET, or null when it is not one this cache answers. */
  static keyOf(req: IncomingMessage): CacheKey | null {
    if (req.method !== "GET" && req.method !== "HEAD") return null;
    const url = req.url ?? "";
    const q = url.indexOf("?");
    if (q < 0 || !url.includes("query=", q)) return null;
    const accept = req.headers.accept ?? "";
    if (accept.includes("text/html")) return null; // a browser opening GraphiQL
    if (accept.includes("text/event-stream") && !accept.includes("json")) return null; // an SSE subscription
    return PublicResponseCache.keyFor(accept, url);
  }

  /** The key of a GET of `url` with `accept`: the page version asked for (`v`) is not part of it. */
  static keyFor(accept: string, url: string): CacheKey {
    const search = url.slice(url.indexOf("?") + 1);
    return new CacheKey(accept, versionOf(search) === null ? search : search.replace(VERSION_PARAM, ""));
  }

  /**
   * The stored answer for `key` when every page it read is known to be current without asking
   * anything (the common case: no promise, no wait); null when there is none (or it is stale);
   * undefined when a page must first be checked (lookup does that).
   */
  lookupNow(key: CacheKey): Cached | null | undefined {
    const cached = this.find(key);
    if (!cached) return null;
    for (const read of cached.reads) {
      const current = this.pages.currentId(read.organizationId);
      if (current === undefined) return undefined;
      if (current !== read.snapshotId) {
        this.remove(cached);
        return null;
      }
    }
    this.touch(cached);
    return cached;
  }

  /** The stored answer for `key` if every page it read is still current; else null. */
  async lookup(key: CacheKey): Promise<{ rep: Representation; reads: Read[] } | null> {
    const now = this.lookupNow(key);
    if (now !== undefined) return now;
    const cached = this.find(key);
    if (!cached) return null;
    for (const read of cached.reads) {
      if (!(await this.pages.isCurrent(read.organizationId, read.snapshotId))) {
        this.remove(cached);
        return null;
      }
    }
    this.touch(cached);
    return cached;
  }

  private find(key: CacheKey): Cached | undefined {
    const bucket = this.index.get(key.accept)?.get(key.bucket);
    if (!bucket) return undefined;
    for (const cached of bucket) if (cached.key.search === key.search) return cached;
    return undefined;
  }

  /** Least recently used first in iteration order; a hot answer moves at most once a second. */
  private touch(cached: Cached): void {
    const now = Date.now();
    if (now - cached.touchedAt <= 1_000 || this.entries.get(cached.key.id) !== cached) return;
    cached.touchedAt = now;
    this.entries.delete(cached.key.id);
    this.entries.set(cached.key.id, cached);
  }

  store(key: CacheKey, rep: Representation, snapshots: Snapshot[]): { rep: Representation; reads: Read[] } {
    const previous = this.entries.get(key.id);
    if (previous) this.remove(previous);
    const reads = snapshots.map((s) => ({ organizationId: s.organizationId, snapshotId: s.id, position: s.position }));
    const cached: Cached = { key, rep, reads, bytes: rep.bytes + key.id.length, touchedAt: Date.now() };
    this.entries.set(key.id, cached);
    let byAccept = this.index.get(key.accept);
    if (!byAccept) this.index.set(key.accept, (byAccept = new Map<string, Cached[]>()));
    const bucket = byAccept.get(key.bucket);
    if (bucket && bucket.length >= MAX_PER_BUCKET) this.remove(bucket[0]!);
    const kept = byAccept.get(key.bucket);
    if (kept) kept.push(cached);
    else byAccept.set(key.bucket, [cached]);
    this.totalBytes += cached.bytes;
    this.stored++;
    while (this.totalBytes > this.maxBytes && this.entries.size > 1) this.remove(this.entries.values().next().value!);
    return cached;
  }

  /** Compressed bodies are made on demand: count them when they appear. */
  grew(key: CacheKey, bytes: number): void {
    const cached = this.entries.get(key.id);
    if (!cached) return;
    cached.bytes += bytes;
    this.totalBytes += bytes;
  }

  private remove(cached: Cached): void {
    const { key } = cached;
    if (this.entries.get(key.id) !== cached) return;
    this.entries.delete(key.id);
    const byAccept = this.index.get(key.accept);
    const bucket = byAccept?.get(key.bucket);
    if (bucket) {
      bucket.splice(bucket.indexOf(cached), 1);
      if (bucket.length === 0) byAccept!.delete(key.bucket);
    }
    if (byAccept?.size === 0) this.index.delete(key.accept); // Accept is client input: no empty maps left behind
    this.totalBytes -= cached.bytes;
  }
}

/** The answer of one execution: kept (a representation, with what it read) or passed through once. */
export type Executed = { rep: Representation; reads: Read[] } | { status: number; headers: Record<string, string>; body: Buffer };

/** Answers a cacheable public GET from the cache, or executes it and caches what may be. */
export async function serveFromCache(
  req: IncomingMessage,
  res: ServerResponse,
  key: CacheKey,
  cache: PublicResponseCache,
  yoga: YogaServerInstance<object, Context>,
  /** Called on a miss, before any GraphQL work; false when the request was refused (answered). */
  beforeWork: () => Promise<boolean>,
): Promise<void> {
  const url = req.url ?? "/";
  const wanted = versionOf(url.slice(url.indexOf("?") + 1));
  // The hot path: a stored answer whose pages are known current, written without a wait.
  const now = wanted === null ? cache.lookupNow(key) : undefined;
  if (now) return sendRepresentation(req, res, now.rep, { vary: VARY });
  // Not answered from memory at once: the headers of a public answer are set now.
  publicHeaders(res, "json");
  const onMiss = async (): Promise<boolean> => {
    if (!(await beforeWork())) return false;
    if (!isSubscription(url)) return true;
    await yoga(req, res); // an SSE stream: nothing to keep
    return false;
  };
  let executed = await answer(req, key, url, cache, yoga, onMiss);
  if (!executed) return;
  // A viewer that saw the event of version `wanted` may reach this instance before its bus
  // does: confirm the log at once (coalesced) rather than hand it the older page.
  if (wanted !== null && "rep" in executed && behind(executed.reads, wanted) && cache.pages.expect(executed.reads, wanted)) {
    executed = await answer(req, key, url, cache, yoga, onMiss);
    if (!executed) return;
  }
  if ("rep" in executed) {
    // An answer behind the version asked for is not to be kept under that version's URL: the
    // viewer asks again (web/src/use-public-page.ts) and a cache must not hand it the same.
    const cacheControl = wanted === null ? undefined : behind(executed.reads, wanted) ? "no-store" : VERSIONED_CACHE_CONTROL;
    return sendRepresentation(req, res, executed.rep, { vary: VARY, cacheControl });
  }
  res.writeHead(executed.status, { ...executed.headers, "content-length": executed.body.length });
  res.end(req.method === "HEAD" ? undefined : executed.body);
}

function behind(reads: Read[], wanted: bigint): boolean {
  return reads.some((read) => read.position < wanted);
}

/**
 * The answer for `key` from the cache, or from one shared execution of `url`; null when
 * `beforeWork` refused the request (and answered it). Also used for the first HTML of a page
 * (public/page-html.ts), which embeds this answer.
 */
export async function answer(
  req: IncomingMessage,
  key: CacheKey,
  url: string,
  cache: PublicResponseCache,
  yoga: YogaServerInstance<object, Context>,
  beforeWork: () => Promise<boolean>,
  accept?: string,
): Promise<Executed | null> {
  const hit = await cache.lookup(key);
  if (hit) return hit;
  if (!(await beforeWork())) return null;
  // Single-flight per key: after a change, everyone asking the same thing at once shares one
  // execution (its answer depends on nothing but the key: the endpoint is anonymous).
  // Only within one epoch of the published pages: an execution begun before a change may have
  // read the old page, and a viewer refetching because of that change must not be handed it.
  const epoch = cache.epoch();
  let running = cache.inflight.get(key.id);
  if (!running || running.epoch !== epoch) {
    const flight: Promise<Executed> = execute(req, key, url, accept, cache, yoga).finally(() => {
      if (cache.inflight.get(key.id)?.flight === flight) cache.inflight.delete(key.id);
    });
    running = { epoch, flight };
    cache.inflight.set(key.id, running);
  }
  return running.flight;
}

async function execute(req: IncomingMessage, key: CacheKey, url: string, accept: string | undefined, cache: PublicResponseCache, yoga: YogaServerInstance<object, Context>): Promise<Executed> {
  cache.executions++;
  const published: PublishedReads = { snapshots: [], unversioned: false };
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
  if (accept !== undefined) headers.set("accept", accept);
  // The Fetch entry point gives the whole answer back to us instead of writing it.
  const response = await yoga.fetch(`http://localhost${url}`, { method: "GET", headers }, { req, published });
  const body = Buffer.from(await response.arrayBuffer());
  const contentType = response.headers.get("content-type") ?? "application/json; charset=utf-8";
  if (response.status === 200 && published.snapshots.length > 0 && !published.unversioned && !hasErrors(body)) {
    const rep = new Representation(contentType, body, (bytes) => cache.grew(key, bytes));
    return cache.store(key, rep, published.snapshots);
  }
  const passed: Record<string, string> = {};
  response.headers.forEach((value, name) => (passed[name] = value));
  return { status: response.status, headers: passed, body };
}

function hasErrors(body: Buffer): boolean {
  try {
    return (JSON.parse(body.toString("utf8")) as { errors?: unknown }).errors !== undefined;
  } catch {
    return true;
  }
}

function isSubscription(url: string): boolean {
  const query = new URL(url, "http://localhost").searchParams.get("query");
  if (!query) return false;
  try {
    return parse(query).definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && d.operation === OperationTypeNode.SUBSCRIPTION);
  } catch {
    return false; // Yoga answers the syntax error (not cached: it has errors)
  }
}
