// Fuzzing (issue 9): random operations built from the schema's own Query and Mutation fields,
// with random variable values (wrong types, huge and odd-unicode strings, NUL, lone surrogates,
// extreme numbers, impossible dates, forged cursors, real and made-up ids), sent as an admin of
// one organisation and anonymously to /graphql and to /graphql/public; plus malformed HTTP
// bodies and query strings. Whatever comes in, the server must answer:
//   - never HTTP 500, never extensions.code INTERNAL, never an error-level log line;
//   - every error's code one of API.md's list;
//   - after a refused mutation, the database unchanged (the organisation's services,
//     incidents, maintenances, events and audit entries, and the global users/orgs counts).
// Half the operations are "wild" (wrong and odd values at every level), half "tame" (what a real
// client sends, naming the organisation's live objects), so verbs run and their own refusals
// (INVALID_TRANSITION, CONFLICT, NOT_FOUND) are checked against the snapshot too.
// FUZZ_RUNS=5000 npx vitest run api/test/fuzz.test.ts runs more; FUZZ_SEED=<n> replays the same choices.
import { Writable } from "node:stream";
import fc from "fast-check";
import {
  getNamedType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from "graphql";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, type App } from "../src/app.ts";
import { buildSchemas } from "../src/graphql/schema.ts";
import { encodeKey } from "../src/graphql/pagination.ts";
import { createTenant, type Tenant } from "./fixtures.ts";
import { freshPostgres, ok, testConfig, type GqlResult } from "./harness.ts";

const ALLOWED = new Set([
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "BAD_USER_INPUT",
  "INVALID_TRANSITION",
  "CONFLICT",
  "RATE_LIMITED",
  "QUERY_TOO_COMPLEX",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "REQUEST_ENTITY_TOO_LARGE",
]);
// Tuned for CI (about 30 s either way): PostgreSQL round trips cost about twice PGlite's.
const RUNS = Number(process.env.FUZZ_RUNS ?? (process.env.TEST_DATABASE_URL ? 1000 : 1500));
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

let app: App;
let url: string;
let drop: (() => Promise<void>) | undefined;
const errorLines: string[] = [];
let a: Tenant;
let b: Tenant;
let pool: { ids: string[]; strings: string[]; cursors: string[]; services: string[]; incidents: string[]; maintenances: string[] };
let sent = 0;

async function gql(query: string, variables: unknown, options: { token?: string; endpoint?: string } = {}): Promise<GqlResult> {
  const response = await fetch(url + (options.endpoint ?? "/graphql"), {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json", ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  sent++;
  return { status: response.status, ...((await response.json()) as object) };
}

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) if ((JSON.parse(line) as { level: number }).level >= 50) errorLines.push(line);
      done();
    },
  });
  const database = await freshPostgres();
  drop = database ? () => database.drop() : undefined;
  app = await buildApp(testConfig({ databaseUrl: database?.url }), { logger: pino({ level: "warn" }, sink) });
  url = await app.start();
  // The clock would change services on its own (windows the fuzzer scheduled) between two snapshots.
  await app.clock()?.stop();
  const t = { url, app, config: testConfig(), gql: <T,>(q: string, v?: Record<string, unknown>, o?: { token?: string; endpoint?: string }) => gql(q, v, o) as Promise<GqlResult<T>>, stop: async () => {} };
  a = await createTenant(t);
  b = await createTenant(t);
  const incident = ok(
    await gql(`mutation($input: CreateIncidentInput!) { createIncident(input: $input) { id } }`, { input: { serviceIds: [a.serviceId], title: "Down", message: "M", impact: "PARTIAL_OUTAGE" } }, { token: a.admin }),
  ) as { createIncident: { id: string } };
  const start = Date.now() + 86_400_000;
  const maintenance = ok(
    await gql(
      `mutation($input: ScheduleMaintenanceInput!) { scheduleMaintenance(input: $input) { id } }`,
      { input: { organizationId: a.orgId, serviceIds: [a.serviceId], title: "W", scheduledStart: new Date(start).toISOString(), scheduledEnd: new Date(start + 3_600_000).toISOString() } },
      { token: a.admin },
    ),
  ) as { scheduleMaintenance: { id: string } };
  const incidents = ok(await gql(`query($slug: String!) { organization(slug: $slug) { incidents { pageInfo { endCursor } } events { cursor } } }`, { slug: a.slug }, { token: a.admin })) as {
    organization: { incidents: { pageInfo: { endCursor: string | null } }; events: { cursor: string }[] };
  };
  pool = {
    ids: [a.orgId, a.serviceId, a.adminUserId, a.memberUserId, b.orgId, b.serviceId, incident.createIncident.id, maintenance.scheduleMaintenance.id, "0197a000-0000-7000-8000-000000000000"],
    services: [a.serviceId],
    incidents: [incident.createIncident.id],
    maintenances: [maintenance.scheduleMaintenance.id],
    strings: [a.slug, b.slug, "www", "API", "Database", "hello@example.com", "https://example.com/hook", "correct-horse-battery", "status.example.com"],
    cursors: [
      incidents.organization.incidents.pageInfo.endCursor ?? "",
      ...incidents.organization.events.map((e) => e.cursor).slice(0, 2),
      encodeKey({ createdAt: new Date("2026-01-01T00:00:00Z"), id: "x" }),
      Buffer.from("0000-01-01T00:00:00.000Z|x").toString("base64url"),
      Buffer.from("-000001-01-01T00:00:00.000Z|x").toString("base64url"),
      Buffer.from("2024-01-01T00:00:00.000Z|a\u0000").toString("base64url"),
      Buffer.from("1|x").toString("base64url"),
      "0000000000000000",
      "9999999999999999",
      "-000000000000001",
      "99999999999999999999",
    ],
  };
}, 120_000);
afterAll(async () => {
  await app?.stop();
  await drop?.();
});

// ---------------------------------------------------------------- values

const hugeString = fc.constantFrom("x".repeat(100_000), "é".repeat(20_000), "😀".repeat(10_000), "a\u0000".repeat(1000));
const oddString = fc.oneof(
  fc.constantFrom("", " ", "\u0000", "a\u0000b", "\ud800", "x\udc00y", "\udbff\udfff", "\ufeff", "\u202eevil", "\u200b", "NaN", "-0", "null", "undefined", "'; drop table \"Service\"; --", "<script>alert(1)</script>", "%00", "\\u0000", "\r\n\t", "Ω≈ç√∫", "𝕳𝖊𝖑𝖑𝖔", "ʇxǝʇ", "１２３"),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ maxLength: 20 }),
);
const weirdNumber = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 31 - 1, 2 ** 53, 1e308, -1e308, 5e-324, 1.5, 100_000, 100_001),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const dateString = fc.oneof(
  fc.constantFrom(
    "0000-01-01T00:00:00Z",
    "-000001-01-01T00:00:00Z",
    "+010000-01-01T00:00:00Z",
    "10000-01-01T00:00:00Z",
    "9999-12-31T23:59:59-05:00",
    "0001-01-01T00:00:00+01:00",
    "2024-02-30T00:00:00Z",
    "2023-02-29T00:00:00Z",
    "2024-13-01T00:00:00Z",
    "2024-01-01T24:00:00Z",
    "2016-12-31T23:59:60Z",
    "2024-01-01",
    "2024-01-01T00:00:00",
    "yesterday",
    "1970-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
  ),
  fc.date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.integer({ min: -2, max: 48 }).map((h) => new Date(Date.now() + h * 3_600_000).toISOString()),
);
const anyWrong = fc.oneof(fc.constant(null), weirdNumber, oddString, fc.boolean(), fc.constant([]), fc.constant({}), fc.jsonValue({ maxDepth: 2 }));

/** A plausible value for a field of this name: what a real client would send. */
function tameScalarArb(name: string, argName: string, hint: string): fc.Arbitrary<unknown> {
  const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/);
  const id = (): fc.Arbitrary<unknown> => {
    if (/^organizationId$/i.test(argName)) return fc.oneof({ weight: 5, arbitrary: fc.constant(a.orgId) }, { weight: 1, arbitrary: fc.constant(b.orgId) });
    if (/^serviceIds?$/i.test(argName)) return fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...pool.services) }, { weight: 1, arbitrary: fc.constantFrom(...pool.ids) });
    if (/^userId$/i.test(argName)) return fc.constantFrom(a.memberUserId, a.adminUserId, b.adminUserId);
    const own = /service/i.test(hint) ? pool.services : /incident/i.test(hint) ? pool.incidents : /maintenance/i.test(hint) ? pool.maintenances : /organization/i.test(hint) ? [a.orgId] : [];
    return own.length ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...own) }, { weight: 1, arbitrary: fc.constantFrom(...pool.ids) }) : fc.constantFrom(...pool.ids);
  };
  switch (name) {
    case "ID":
      return id();
    case "Int":
    case "Float":
      return fc.integer({ min: 1, max: 50 });
    case "Boolean":
      return fc.boolean();
    case "DateTime":
      return fc.integer({ min: -2, max: 72 }).map((h) => new Date(Date.now() + h * 3_600_000).toISOString());
    default:
      if (/after|cursor|before/i.test(argName)) return fc.constantFrom(...pool.cursors);
      if (/id$/i.test(argName)) return id();
      if (/email/i.test(argName)) return word.map((w) => `${w}@example.com`);
      if (/password/i.test(argName)) return fc.constantFrom("correct-horse-battery", "password", "another-long-passphrase");
      if (/slug/i.test(argName)) return fc.oneof(fc.constantFrom(a.slug, b.slug, "www"), word);
      if (/domain/i.test(argName)) return word.map((w) => `${w}.example.com`);
      if (/url/i.test(argName)) return word.map((w) => `https://${w}.example.com/hook`);
      return fc.oneof(fc.constantFrom(...pool.strings), word);
  }
}

function scalarArb(name: string, argName: string): fc.Arbitrary<unknown> {
  const ids = () => fc.oneof({ weight: 10, arbitrary: fc.constantFrom(...pool.ids) }, { weight: 1, arbitrary: fc.uuid() }, { weight: 2, arbitrary: oddString }, { weight: 1, arbitrary: weirdNumber });
  switch (name) {
    case "ID":
      return ids();
    case "Int":
    case "Float":
      return fc.oneof({ weight: 4, arbitrary: fc.integer({ min: -2, max: 120 }) }, { weight: 3, arbitrary: weirdNumber }, { weight: 1, arbitrary: fc.constantFrom("1", "NaN", "Infinity", "-0", "1e308") });
    case "Boolean":
      return fc.oneof({ weight: 4, arbitrary: fc.boolean() }, { weight: 1, arbitrary: fc.constantFrom("true", 0, 1) });
    case "DateTime":
      return fc.oneof({ weight: 6, arbitrary: dateString }, { weight: 1, arbitrary: weirdNumber }, { weight: 1, arbitrary: oddString });
    default: {
      if (/after|cursor|before/i.test(argName)) return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...pool.cursors) }, { weight: 1, arbitrary: oddString });
      if (/id$/i.test(argName)) return ids();
      return fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...pool.strings) }, { weight: 4, arbitrary: oddString }, { weight: 1, arbitrary: hugeString });
    }
  }
}

/**
 * A value for an input of this type. "wild" mixes in wrong types and odd values at every level;
 * "tame" sends what a real client would (so verbs run, and their refusals, such as
 * INVALID_TRANSITION or CONFLICT, are checked against the snapshot too).
 */
function valueArb(type: GraphQLInputType, name: string, tame: boolean, hint: string, depth = 0): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) {
    const inner = innerArb(type.ofType, name, tame, hint, depth);
    return tame ? inner : fc.oneof({ weight: 14, arbitrary: inner }, { weight: 1, arbitrary: anyWrong });
  }
  return fc.oneof({ weight: tame ? 20 : 8, arbitrary: innerArb(type, name, tame, hint, depth) }, { weight: 1, arbitrary: fc.constant(null) });
}

function innerArb(type: GraphQLInputType, name: string, tame: boolean, hint: string, depth: number): fc.Arbitrary<unknown> {
  if (isListType(type)) {
    const item = valueArb(type.ofType, name, tame, hint, depth + 1);
    if (tame) return fc.array(item, { minLength: 1, maxLength: 2 });
    return fc.oneof(
      { weight: 8, arbitrary: fc.array(item, { maxLength: 4 }) },
      { weight: 1, arbitrary: fc.array(item, { minLength: 101, maxLength: 110 }) },
      { weight: 1, arbitrary: item },
    );
  }
  if (isInputObjectType(type)) {
    if (depth > 3) return fc.constant({});
    const fields = Object.values(type.getFields());
    const model = Object.fromEntries(fields.map((f) => [f.name, valueArb(f.type, f.name, tame, type.name, depth + 1)]));
    const required = fields.filter((f) => isNonNullType(f.type) && f.defaultValue === undefined).map((f) => f.name);
    if (tame) return fc.record(model, { requiredKeys: required });
    return fc.oneof(
      { weight: 12, arbitrary: fc.record(model, { requiredKeys: required }) },
      { weight: 1, arbitrary: fc.record(model, { requiredKeys: [] }) },
      { weight: 1, arbitrary: fc.record(model, { requiredKeys: required }).map((o) => ({ ...o, notAField: "x" })) },
      { weight: 1, arbitrary: anyWrong },
    );
  }
  if (isEnumType(type) && tame) return fc.constantFrom(...type.getValues().map((v) => v.name));
  if (isEnumType(type)) return fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...type.getValues().map((v) => v.name)) }, { weight: 1, arbitrary: oddString });
  if (isScalarType(type)) return tame ? tameScalarArb(type.name, name, hint) : scalarArb(type.name, name);
  return anyWrong;
}

// ---------------------------------------------------------------- operations

interface Sel {
  field: string;
  args: { name: string; type: string; value: unknown; omit: boolean; inline: boolean }[];
  children: Sel[];
}

function argsArb(args: readonly GraphQLArgument[], tame: boolean, hint: string) {
  return fc.tuple(
    ...args.map((arg) =>
      fc.record({
        value: valueArb(arg.type, arg.name, tame, hint),
        omit: isNonNullType(arg.type) ? fc.constant(false) : fc.boolean(),
        inline: fc.integer({ min: 0, max: 9 }).map((n) => !tame && n < 3),
      }).map((r) => ({ name: arg.name, type: String(arg.type), ...r })),
    ),
  );
}

function selArb(field: GraphQLField<unknown, unknown>, depth: number, tame: boolean): fc.Arbitrary<Sel> {
  const named = getNamedType(field.type);
  const children: fc.Arbitrary<Sel[]> =
    isObjectType(named) && depth < 2
      ? fc.array(
          fc.constantFrom(...Object.values((named as GraphQLObjectType).getFields())).chain((child) => selArb(child as GraphQLField<unknown, unknown>, depth + 1, tame)),
          { maxLength: 2 },
        )
      : fc.constant([]);
  return fc.tuple(argsArb(field.args, tame, field.name), children).map(([args, kids]) => ({ field: field.name, args, children: kids }));
}

/** Prints a JSON value as a GraphQL literal (strings escaped like JSON, which GraphQL reads too). */
function literal(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`;
  return `{${Object.entries(value).map(([k, v]) => `${k}: ${literal(v)}`).join(", ")}}`;
}

function print(kind: "query" | "mutation", roots: Sel[]): { query: string; variables: Record<string, unknown> } {
  const definitions: string[] = [];
  const variables: Record<string, unknown> = {};
  let n = 0;
  const sel = (s: Sel, alias: string): string => {
    const args = s.args
      .filter((a) => !a.omit)
      .map((a) => {
        if (a.inline) return `${a.name}: ${literal(a.value)}`;
        const v = `v${n++}`;
        definitions.push(`$${v}: ${a.type}`);
        variables[v] = a.value;
        return `${a.name}: $${v}`;
      });
    const head = `${alias}: ${s.field}${args.length ? `(${args.join(", ")})` : ""}`;
    return s.children.length || isCompositeType(getNamedType(fieldType(s))) ? `${head} { __typename ${s.children.map((c, i) => sel(c, `${alias}_${i}`)).join(" ")} }` : head;
  };
  const body = roots.map((r, i) => sel(r, `r${i}`)).join(" ");
  return { query: `${kind}${definitions.length ? `(${definitions.join(", ")})` : ""} { ${body} }`, variables };
}

// The field objects are needed when printing (composite or not); kept beside the selection.
const fieldTypes = new WeakMap<Sel, GraphQLField<unknown, unknown>>();
function fieldType(s: Sel) {
  return fieldTypes.get(s)!.type;
}
function tagged(field: GraphQLField<unknown, unknown>, tame: boolean): fc.Arbitrary<Sel> {
  return selArb(field, 0, tame).map((s) => {
    tag(s, field);
    return s;
  });
}
function tag(s: Sel, field: GraphQLField<unknown, unknown>) {
  fieldTypes.set(s, field);
  const named = getNamedType(field.type);
  if (isObjectType(named)) for (const c of s.children) tag(c, named.getFields()[c.field] as GraphQLField<unknown, unknown>);
}

/**
 * Not fuzzed: logOut would end the session the run uses; verifyCustomDomain goes out to DNS and
 * HTTP (slow and non-deterministic here; its input is still checked by the same guard and zod).
 */
const SKIP = new Set(["logOut", "verifyCustomDomain"]);

type Caller = "admin" | "anonymous" | "public";
interface Op {
  caller: Caller;
  kind: "query" | "mutation";
  roots: Sel[];
}
function operationArb(schema: GraphQLSchema, caller: Caller) {
  const mutations = Object.values(schema.getMutationType()?.getFields() ?? {}).filter((f) => !SKIP.has(f.name)) as GraphQLField<unknown, unknown>[];
  const queries = Object.values(schema.getQueryType()?.getFields() ?? {}) as GraphQLField<unknown, unknown>[];
  const query = fc
    .array(fc.tuple(fc.constantFrom(...queries), fc.boolean()).chain(([f, tame]) => tagged(f, tame)), { minLength: 1, maxLength: 2 })
    .map((roots): Op => ({ caller, kind: "query", roots }));
  if (mutations.length === 0) return query;
  const mutation = fc.tuple(fc.constantFrom(...mutations), fc.boolean()).chain(([f, tame]) => tagged(f, tame)).map((s): Op => ({ caller, kind: "mutation", roots: [s] }));
  return fc.oneof({ weight: 3, arbitrary: mutation }, { weight: 2, arbitrary: query });
}

// ---------------------------------------------------------------- malformed HTTP

const malformedArb = fc.oneof(
  fc.record({ method: fc.constant("POST"), path: fc.constantFrom("/graphql", "/graphql/public"), type: fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded", "application/graphql"), body: fc.oneof(fc.string({ unit: "binary", maxLength: 200 }), fc.constantFrom("", "null", "[]", "\"x\"", "{}", "{\"query\": 5}", "{\"query\": \"{ viewer { id } }\", \"variables\": \"x\"}", "{\"query\": \"{ viewer { id } }\", \"operationName\": 7}", "[{\"query\": \"{ viewer { id } }\"}]", "{\"query\": \"{\"", "{\"query\": \"query { statusPage(slug: \\\"\\u0000\\\") { __typename } }\"}", "[".repeat(5000) + "]".repeat(5000), "{\"query\": \"{ viewer { id } }\", \"variables\": {\"a\": " + "[".repeat(3000) + "]".repeat(3000) + "}}", "{\"query\":\"{ viewer { id } }\",\"extensions\":{\"persistedQuery\":{\"version\":1,\"sha256Hash\":\"x\"}}}")) }),
  fc.record({ method: fc.constant("GET"), path: fc.constantFrom("/graphql", "/graphql/public"), type: fc.constant(""), body: fc.tuple(fc.oneof(fc.string({ unit: "binary", maxLength: 80 }), fc.constantFrom("{ statusPage(slug: \"x\") { __typename } }", "mutation { logOut }", "{ __schema { types { name } } }")), fc.oneof(fc.constant(undefined), fc.string({ maxLength: 40 }), fc.constant("{\"slug\": \"\\u0000\"}"))).map(([q, v]) => `query=${encodeURIComponent(q)}${v === undefined ? "" : `&variables=${encodeURIComponent(v)}`}`) }),
);

async function sendMalformed(m: { method: string; path: string; type: string; body: string }) {
  const response = await fetch(m.method === "GET" ? `${url}${m.path}?${m.body}` : url + m.path, {
    method: m.method,
    headers: { ...(m.type ? { "content-type": m.type } : {}), accept: "application/graphql-response+json, application/json" },
    ...(m.method === "POST" ? { body: m.body } : {}),
  });
  sent++;
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body: body as Omit<GqlResult, "status"> | undefined };
}

// ---------------------------------------------------------------- the property

async function snapshot() {
  const prisma = app.services.db.prisma;
  const org = { organizationId: a.orgId };
  const [services, incidents, maintenances, events, audit, updates, users, orgs, memberships, tokens] = await Promise.all([
    prisma.service.findMany({ where: org, orderBy: { id: "asc" }, select: { id: true, name: true, description: true, group: true, position: true, status: true, deletedAt: true, updatedAt: true } }),
    prisma.incident.findMany({ where: org, orderBy: { id: "asc" }, select: { id: true, title: true, status: true, deletedAt: true, resolvedAt: true, updatedAt: true } }),
    prisma.maintenance.findMany({ where: org, orderBy: { id: "asc" }, select: { id: true, title: true, status: true, scheduledStart: true, scheduledEnd: true } }),
    prisma.event.count({ where: org }),
    prisma.auditEntry.count({ where: org }),
    prisma.incidentUpdate.count({ where: org }),
    prisma.user.count(),
    prisma.organization.count(),
    prisma.membership.count(),
    prisma.apiToken.count({ where: { ...org, revokedAt: null } }),
  ]);
  return JSON.stringify({ services, incidents, maintenances, events, audit, updates, users, orgs, memberships, tokens });
}

/** Tame values name the organisation's live objects: re-read them after a change. */
async function refreshPool() {
  const prisma = app.services.db.prisma;
  const where = { organizationId: a.orgId, deletedAt: null };
  const [services, incidents, maintenances] = await Promise.all([
    prisma.service.findMany({ where, select: { id: true }, take: 20 }),
    prisma.incident.findMany({ where, select: { id: true }, take: 20 }),
    prisma.maintenance.findMany({ where: { organizationId: a.orgId }, select: { id: true }, take: 20 }),
  ]);
  if (services.length) pool.services = services.map((r) => r.id);
  if (incidents.length) pool.incidents = incidents.map((r) => r.id);
  if (maintenances.length) pool.maintenances = maintenances.map((r) => r.id);
}

function checkErrors(where: string, status: number, body: Omit<GqlResult, "status"> | undefined) {
  expect(status, `${where}: HTTP ${status} ${JSON.stringify(body)?.slice(0, 500)}`).toBeLessThan(500);
  for (const error of body?.errors ?? []) {
    const code = error.extensions?.code;
    expect(ALLOWED.has(String(code)), `${where}: code ${String(code)}: ${error.message.slice(0, 300)}`).toBe(true);
  }
  expect(errorLines, `${where}: logged at error level`).toEqual([]);
}

describe("fuzzing the GraphQL endpoints", () => {
  it(
    "answers random operations, variables and malformed requests without INTERNAL, 500 or a change after a refusal",
    async () => {
      const { admin: adminSchema, public: publicSchema } = buildSchemas();
      const started = performance.now();
      let refusedMutations = 0;
      let doneMutations = 0;
      const stats = new Map<string, number>();
      const input = fc.oneof(
        { weight: 5, arbitrary: operationArb(adminSchema, "admin") },
        { weight: 2, arbitrary: operationArb(adminSchema, "anonymous") },
        { weight: 2, arbitrary: operationArb(publicSchema, "public") },
        { weight: 1, arbitrary: malformedArb.map((m) => ({ caller: "malformed" as const, m })) },
      );
      await fc.assert(
        fc.asyncProperty(input, async (op) => {
          if (op.caller === "malformed") {
            const r = await sendMalformed(op.m);
            checkErrors(`${op.m.method} ${op.m.path} ${op.m.body.slice(0, 200)}`, r.status, r.body);
            return;
          }
          const { query, variables } = print(op.kind, op.roots);
          const before = op.kind === "mutation" ? await snapshot() : null;
          const result = await gql(query, variables, { token: op.caller === "admin" ? a.admin : undefined, endpoint: op.caller === "public" ? "/graphql/public" : "/graphql" });
          const { status, ...body } = result;
          const where = `${op.caller} ${query.slice(0, 400)} ${JSON.stringify(variables).slice(0, 400)}`;
          checkErrors(where, status, body);
          for (const e of body.errors ?? []) stats.set(String(e.extensions?.code), (stats.get(String(e.extensions?.code)) ?? 0) + 1);
          // Refused: an error before execution (no path) or on the mutation field itself. An error
          // deeper down (a bad argument of a field selected from its result) comes after it ran.
          const refused = body.errors?.some((e) => !e.path || e.path.length === 1) ?? false;
          if (op.kind === "mutation" && refused) {
            refusedMutations++;
            expect(await snapshot(), `${where}: a refused mutation changed the database`).toBe(before);
          } else if (op.kind === "mutation") {
            doneMutations++;
            await refreshPool();
          }
        }),
        { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}), endOnFailure: true },
      );
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      // The admin's session must have survived the run (else most inputs only tested UNAUTHENTICATED).
      expect(ok(await gql(`{ viewer { id } }`, {}, { token: a.admin })).viewer).not.toBeNull();
      console.log(`fuzz: ${RUNS} inputs (${sent} HTTP requests in all), ${refusedMutations} refused mutations checked against a snapshot, ${doneMutations} mutations carried out, ${seconds} s; error codes: ${JSON.stringify(Object.fromEntries(stats))}`);
    },
    600_000,
  );
});
