// S5 tenancy at scale: O organisations signed up through the public GraphQL API (the sign-up
// throttle is off in startProduct), each with one service and `perOrg` public subscribers; one
// change in each. Every subscriber must get exactly one event, its own organisation's.
import { randomBytes } from "node:crypto";
import { gql, progress, SET_STATUS, settle, sleep, wsUrl, type Product } from "./lib.ts";
import { dataOf, Subscribers } from "./subscribers.ts";

export interface TenancyResult {
  organizations: number;
  subscribers: number;
  /** Subscribers that got exactly one event, their own organisation's. */
  delivered: number;
  missing: number;
  crossTenant: number;
  duplicated: number;
  /** ms from the first change until the last subscriber had its event. */
  allMs: number;
  setupSeconds: number;
}

const SUBSCRIPTION = `subscription($slug: String!) { statusPageEvents(slug: $slug) { cursor kind service { id status } } }`;

/** Runs `task` over `items`, `concurrency` at a time. */
async function pool<T, R>(items: T[], concurrency: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

export async function tenancy(product: Product, { organizations, perOrg }: { organizations: number; perOrg: number }): Promise<TenancyResult> {
  const setupStart = performance.now();
  const run = randomBytes(3).toString("hex");
  progress(`S5 signing up ${organizations} organisations`);
  const orgs = await pool(Array.from({ length: organizations }, (_, i) => i), 4, async (i) => {
    const { signUp } = await gql<{ signUp: { token: string; user: { memberships: { organization: { id: string; slug: string } }[] } } }>(
      product.url,
      `mutation($input: SignUpInput!) { signUp(input: $input) { token user { memberships { organization { id slug } } } } }`,
      { input: { email: `bench-${run}-${i}@example.com`, password: "correct-horse-battery-staple", name: "Bench", organizationName: `Bench ${run} ${i}` } },
    );
    const org = signUp.user.memberships[0]!.organization;
    const { createService } = await gql<{ createService: { id: string } }>(
      product.url,
      `mutation($input: CreateServiceInput!) { createService(input: $input) { id } }`,
      { input: { organizationId: org.id, name: "API" } },
      signUp.token,
    );
    if ((i + 1) % 100 === 0) progress(`S5 ${i + 1}/${organizations} organisations`);
    return { slug: org.slug, token: signUp.token, serviceId: createService.id };
  });
  const ownerOf = new Map(orgs.map((o, i) => [o.serviceId, i]));

  const total = organizations * perOrg;
  progress(`S5 opening ${total} subscribers (${perOrg} per organisation)`);
  const subscribers = new Subscribers(`${wsUrl(product.url)}/graphql/public`);
  try {
    // Subscriber k watches organisation k mod O, so neighbouring sockets belong to different tenants.
    await subscribers.add(total, (k) => ({ query: SUBSCRIPTION, variables: { slug: orgs[k % organizations]!.slug } }));
    await settle(product.child.pid!);
    const setupSeconds = (performance.now() - setupStart) / 1000;

    const own = new Uint32Array(total);
    const at = new Float64Array(total).fill(NaN);
    let crossTenant = 0;
    let withOwn = 0;
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => (finish = resolve));
    subscribers.onData = (k, message, time) => {
      const serviceId = (dataOf(message) as { statusPageEvents?: { service?: { id?: string } | null } } | null)?.statusPageEvents?.service?.id;
      const owner = serviceId === undefined ? undefined : ownerOf.get(serviceId);
      if (owner !== k % organizations) {
        crossTenant++;
        return;
      }
      if (own[k]!++ === 0) {
        at[k] = time;
        if (++withOwn === total) finish();
      }
    };
    progress(`S5 one change in each of ${organizations} organisations`);
    const t0 = performance.now();
    await pool(orgs, 16, (org) => gql(product.url, SET_STATUS, { id: org.serviceId, s: "MAJOR_OUTAGE" }, org.token));
    await Promise.race([finished, sleep(60_000)]);
    await sleep(500); // late strays and duplicates would arrive now
    const times = [...at].filter((t) => !Number.isNaN(t));
    let duplicated = 0;
    let delivered = 0;
    for (const n of own) {
      if (n > 1) duplicated += n - 1;
      if (n >= 1) delivered++;
    }
    const result: TenancyResult = {
      organizations,
      subscribers: total,
      delivered,
      missing: total - delivered,
      crossTenant,
      duplicated,
      allMs: delivered === total ? Math.max(...times) - t0 : NaN,
      setupSeconds,
    };
    progress(`S5 ${delivered}/${total} got their own event (${result.allMs.toFixed(0)} ms), ${crossTenant} cross-tenant, ${duplicated} duplicated`);
    return result;
  } finally {
    await subscribers.close();
  }
}
