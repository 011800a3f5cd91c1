// The tenancy and role matrix, generated from the schema (issue 9). Every field of Query,
// Mutation, Subscription and Organization in schema/admin.graphql, and every other field with
// authScopes of its own, is called as six actors against organisation A's objects; each answer
// must match the table in matrix/entries.ts, carry nothing of the other tenant, and (mutations)
// have taken effect when allowed and changed nothing when refused. B's answer about A's object
// must be the same as its answer about a made-up one. A field without an entry fails the matrix.
// Then /graphql/public: the exact allow-list of what exists there, and nothing private reachable.
import { readFileSync } from "node:fs";
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSchemas } from "../src/graphql/schema.ts";
import { ok } from "./harness.ts";
import { entries, NEVER_PUBLIC, PUBLIC_ALLOW_LIST, SELF_AUTHORISED, type Entry } from "./matrix/entries.ts";
import { callHttp, callWs, comparable, leaked, outcomeOf, type Answer } from "./matrix/run.ts";
import { ACTORS, buildWorld, footprint, type Actor, type Footprint, type Fx, type Vars, type World } from "./matrix/world.ts";

const SCHEMA_DIR = new URL("../../schema/", import.meta.url);

// ---------------------------------------------------------------- the walk

interface PothosExtensions {
  pothosOptions?: { authScopes?: unknown };
}
const hasOwnScopes = (extensions: unknown) => Boolean((extensions as PothosExtensions | undefined)?.pothosOptions?.authScopes);

/** Every field the matrix must cover, walked from the schema served on /graphql. */
function walkedFields(schema: GraphQLSchema): string[] {
  const fields = new Set<string>(SELF_AUTHORISED);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    const whole = ["Query", "Mutation", "Subscription", "Organization"].includes(type.name) || hasOwnScopes(type.extensions);
    for (const field of Object.values(type.getFields())) {
      if (whole || hasOwnScopes(field.extensions)) fields.add(`${type.name}.${field.name}`);
    }
  }
  return [...fields].sort();
}

const rootFields = (schema: GraphQLSchema) =>
  [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]
    .filter((type): type is GraphQLObjectType => Boolean(type))
    .flatMap((type) => Object.keys(type.getFields()).map((name) => `${type.name}.${name}`))
    .sort();

/** Types (but introspection's own) to their fields (objects, interfaces and inputs) or [] (enums, scalars). */
function shapeOf(schema: GraphQLSchema): Record<string, string[]> {
  const shape: Record<string, string[]> = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__")) continue;
    shape[type.name] = isObjectType(type) || isInputObjectType(type) || isInterfaceType(type) ? Object.keys(type.getFields()).sort() : [];
  }
  return shape;
}

const admin = buildSchemas().admin;
const walked = walkedFields(admin);
const byField = new Map(entries.map((entry) => [entry.field, entry]));
/** Only entries of fields that exist are run (the coverage test names the others). */
const runnable = entries.filter((entry) => walked.includes(entry.field));

// ---------------------------------------------------------------- the world and the record

let w: World;
beforeAll(async () => {
  w = await buildWorld();
}, 120_000);

const table = new Map<string, Record<Actor, string>>();
/** B's admin in B's own organisation naming A's objects: field -> outcome. */
const mixedTable = new Map<string, string>();
const figures = { mixed: 0, calls: 0, phantom: 0, effects: 0, publicCalls: 0, refusedOnPublic: 0, allowList: 0, depths: [] as string[] };
afterAll(async () => {
  const outcomes = [...table.values()].flatMap((row) => Object.values(row));
  const count = (outcome: string) => outcomes.filter((o) => o === outcome).length;
  const fields = walked.length;
  const allowListFields = Object.values(PUBLIC_ALLOW_LIST).reduce((sum, list) => sum + list.length, 0);
  console.log(
    `matrix: ${table.size}/${fields} fields × ${ACTORS.length} actors = ${figures.calls} calls on /graphql ` +
      `(allowed ${count("allowed")}, null ${count("null")}, FORBIDDEN ${count("FORBIDDEN")}, NOT_FOUND ${count("NOT_FOUND")}, ` +
      `UNAUTHENTICATED ${count("UNAUTHENTICATED")}, other ${outcomes.length - ["allowed", "null", "FORBIDDEN", "NOT_FOUND", "UNAUTHENTICATED"].reduce((s, o) => s + count(o), 0)}); ` +
      `${figures.phantom} foreign-vs-made-up comparisons; ${figures.effects} mutation effect checks; ` +
      `${figures.mixed} calls of B's admin in B naming A's objects (${mixedTable.size} fields); ` +
      `/graphql/public: ${figures.publicCalls} calls (${entries.filter((e) => e.public).length} public fields × ${ACTORS.length} actors), ` +
      `${figures.refusedOnPublic} private documents refused, allow-list ${Object.keys(PUBLIC_ALLOW_LIST).length} types / ${allowListFields} fields, ` +
      `status page read to depth ${figures.depths.join("/") || "-"}`,
  );
  if (process.env.MATRIX_TABLE) {
    const pad = (text: string, width: number) => text.padEnd(width);
    const head = pad("field", 40) + ACTORS.map((a) => pad(a, 16)).join("") + "otherAdmin in B";
    const rows = [...table].map(([field, row]) => pad(field, 40) + ACTORS.map((a) => pad(row[a] ?? "-", 16)).join("") + (mixedTable.get(field) ?? ""));
    console.log([head, ...rows].join("\n"));
  }
  await w?.t.stop();
});

// ---------------------------------------------------------------- one call

const kindOf = (entry: Entry) => entry.field.split(".")[0]!;
const nameOf = (entry: Entry) => entry.field.split(".")[1]!;
const pathOf = (entry: Entry) => entry.path ?? (kindOf(entry) === "Organization" ? ["organization", nameOf(entry)] : [nameOf(entry)]);

async function prepare(entry: Entry, actor: Actor, fx: Fx): Promise<{ all: Vars; sent: Vars; token: string | undefined }> {
  const all = entry.vars ? await entry.vars(fx, actor) : {};
  const sent = Object.fromEntries(Object.entries(all).filter(([key]) => !key.startsWith("_")));
  const override = entry.as?.[actor];
  return { all, sent, token: override ? await override(fx) : w.tokens[actor] };
}

function send(entry: Entry, endpoint: string, variables: Vars, token: string | undefined): Promise<Answer> {
  return kindOf(entry) === "Subscription" ? callWs(w.t, endpoint, entry.document, variables, token) : callHttp(w.t, endpoint, entry.document, variables, token);
}

const brief = (answer: Answer) =>
  `${JSON.stringify(answer.errors?.length ? answer.errors.map((e) => `${String(e.extensions?.code)}: ${e.message}`) : (answer.data ?? null)).slice(0, 300)}${answer.closeCode ? ` (closed ${answer.closeCode})` : ""}`;

/** What an answer may not contain, by who asked and what they got. */
function forbiddenStrings(entry: Entry, actor: Actor, outcome: string): string[] {
  const a = w.secretsOfA;
  if (outcome !== "allowed") return [...a.private, ...a.public, ...w.secretsOfB]; // a refusal or a null names nobody
  const strings = actor === "otherAdmin" ? (entry.public ? a.private : [...a.private, ...a.public]) : [...w.secretsOfB];
  if (entry.public) strings.push(...a.private);
  return strings;
}

const snapshot = async () => {
  const [a, b] = await Promise.all([footprint(w.prisma, w.a.orgId), footprint(w.prisma, w.b.orgId)]);
  return { a, b };
};

const diff = (before: Footprint, after: Footprint) =>
  Object.keys(before)
    .filter((key) => JSON.stringify(before[key as keyof Footprint]) !== JSON.stringify(after[key as keyof Footprint]))
    .map((key) => `${key} ${JSON.stringify(before[key as keyof Footprint])} -> ${JSON.stringify(after[key as keyof Footprint])}`);

/** Calls one field as one actor; returns what is wrong (empty: as the table says). */
async function check(entry: Entry, actor: Actor, row: Record<Actor, string>): Promise<string[]> {
  const problems: string[] = [];
  const mutation = kindOf(entry) === "Mutation";
  const expected = entry.expect[actor];
  const { all, sent, token } = await prepare(entry, actor, w.fx);
  const before = mutation ? await snapshot() : null;
  const answer = await send(entry, "/graphql", sent, token);
  figures.calls++;
  const outcome = outcomeOf(answer, pathOf(entry));
  row[actor] = outcome;
  if (outcome !== expected) problems.push(`${actor}: expected ${expected}, got ${outcome}: ${brief(answer)}`);
  const leaks = leaked(answer, forbiddenStrings(entry, actor, outcome));
  if (leaks.length) problems.push(`${actor}: the answer contains ${leaks.join(", ")}: ${brief(answer)}`);

  if (mutation && before) {
    const after = await snapshot();
    if (entry.effect) {
      figures.effects++;
      const took = await entry.effect({ w, vars: all, data: answer.data ?? null, token, before: before.a, after: after.a });
      if (outcome === "allowed" && !took) problems.push(`${actor}: allowed, but it did not take effect`);
      if (outcome !== "allowed" && took) problems.push(`${actor}: refused (${outcome}), but it took effect`);
    }
    if (outcome === "allowed") {
      const audit = entry.audit ?? 1;
      if (audit !== "any" && after.a.audit - before.a.audit !== audit) problems.push(`${actor}: allowed, A's audit log grew by ${after.a.audit - before.a.audit}, not ${audit}`);
      if (actor !== "otherAdmin" && diff(before.b, after.b).length) problems.push(`${actor}: changed B: ${diff(before.b, after.b).join("; ")}`);
    } else {
      for (const [org, b4, now] of [["A", before.a, after.a], ["B", before.b, after.b]] as const) {
        const changed = diff(b4, now);
        if (changed.length) problems.push(`${actor}: refused (${outcome}), but changed ${org}: ${changed.join("; ")}`);
      }
    }
  }

  // Another tenant's object must look exactly like one that does not exist.
  if (actor === "otherAdmin" && expected !== "allowed") {
    const made = await prepare(entry, actor, w.phantom);
    const phantomBefore = mutation ? await snapshot() : null;
    const phantom = await send(entry, "/graphql", made.sent, made.token);
    figures.phantom++;
    if (JSON.stringify(comparable(phantom)) !== JSON.stringify(comparable(answer))) {
      problems.push(`otherAdmin: A's object answers ${JSON.stringify(comparable(answer))}, a made-up one ${JSON.stringify(comparable(phantom))}`);
    }
    if (phantomBefore) {
      const after = await snapshot();
      const changed = [...diff(phantomBefore.a, after.a), ...diff(phantomBefore.b, after.b)];
      if (changed.length) problems.push(`otherAdmin with made-up ids changed something: ${changed.join("; ")}`);
    }
  }
  return problems;
}

/** B's admin, in B, naming A's objects: as if they did not exist, and nothing changes anywhere. */
async function checkMixed(entry: Entry, mixed: NonNullable<Entry["mixed"]>): Promise<string[]> {
  const problems: string[] = [];
  const expected = mixed.expect ?? "NOT_FOUND";
  const mutation = kindOf(entry) === "Mutation";
  const answers: Answer[] = [];
  for (const fx of [w.fx, w.phantom]) {
    const variables = await mixed.vars(fx);
    const before = mutation ? await snapshot() : null;
    answers.push(await send(entry, "/graphql", variables, w.tokens.otherAdmin));
    figures.mixed++;
    if (before) {
      const after = await snapshot();
      const changed = [...diff(before.a, after.a), ...diff(before.b, after.b)];
      if (changed.length) problems.push(`otherAdmin in B${fx.phantom ? " (made-up ids)" : ""}: changed ${changed.join("; ")}`);
    }
  }
  const [real, phantom] = answers as [Answer, Answer];
  const outcome = outcomeOf(real, pathOf(entry));
  mixedTable.set(entry.field, outcome);
  if (outcome !== expected) problems.push(`otherAdmin in B naming A's objects: expected ${expected}, got ${outcome}: ${brief(real)}`);
  const leaks = leaked(real, [...w.secretsOfA.private, ...w.secretsOfA.public]);
  if (leaks.length) problems.push(`otherAdmin in B: the answer contains ${leaks.join(", ")}`);
  if (JSON.stringify(comparable(real)) !== JSON.stringify(comparable(phantom))) {
    problems.push(`otherAdmin in B: A's objects answer ${JSON.stringify(comparable(real))}, made-up ones ${JSON.stringify(comparable(phantom))}`);
  }
  return problems;
}

async function runEntry(entry: Entry, concurrently: boolean): Promise<void> {
  const row = {} as Record<Actor, string>;
  table.set(entry.field, row);
  const problems = concurrently
    ? (await Promise.all(ACTORS.map((actor) => check(entry, actor, row)))).flat()
    : await ACTORS.reduce<Promise<string[]>>(async (sofar, actor) => [...(await sofar), ...(await check(entry, actor, row))], Promise.resolve([]));
  if (entry.mixed) problems.push(...(await checkMixed(entry, entry.mixed)));
  expect(problems, `${entry.field}\n  ${problems.join("\n  ")}`).toEqual([]);
}

// ---------------------------------------------------------------- coverage

describe("coverage: the schema and the entries match", () => {
  it("the leak check would see a tenant's data (it is not looking for the wrong strings)", async () => {
    const own = await callHttp(w.t, "/graphql", `query($slug: String!) { organization(slug: $slug) { id slug name members { user { id email } } services { id name } } }`, { slug: w.b.slug }, w.b.admin);
    expect(leaked(own, w.secretsOfB).length).toBeGreaterThanOrEqual(6);
    const page = await callHttp(w.t, "/graphql", `query($slug: String!) { statusPage(slug: $slug) { organization { slug name } services { id name } } }`, { slug: w.a.slug }, undefined);
    expect(leaked(page, w.secretsOfA.public).length).toBeGreaterThanOrEqual(4);
  });

  it("every walked field of /graphql has exactly one entry, and every entry a field", () => {
    const duplicates = entries.map((e) => e.field).filter((field, i, all) => all.indexOf(field) !== i);
    const missing = walked.filter((field) => !byField.has(field));
    const stale = entries.map((e) => e.field).filter((field) => !walked.includes(field));
    expect({ missing, stale, duplicates }, `fields without an entry: ${missing.join(", ") || "none"}; entries without a field: ${stale.join(", ") || "none"}`).toEqual({
      missing: [],
      stale: [],
      duplicates: [],
    });
  });

  it("the entries marked public are exactly the root fields of /graphql/public", () => {
    const publicRoots = rootFields(buildSchemas().public);
    expect(entries.filter((e) => e.public).map((e) => e.field).sort()).toEqual(publicRoots);
  });

  it("schema/admin.graphql is the schema served (so the walk covers what is printed)", () => {
    const printed = buildSchema(readFileSync(new URL("admin.graphql", SCHEMA_DIR), "utf8"));
    expect(walkedFields(printed).filter((f) => !SELF_AUTHORISED.includes(f))).toEqual(
      walked.filter((f) => !SELF_AUTHORISED.includes(f) && ["Query", "Mutation", "Subscription", "Organization"].includes(f.split(".")[0]!)),
    );
  });
});

// ---------------------------------------------------------------- /graphql

describe("reads and subscriptions: every actor", { concurrent: true }, () => {
  for (const entry of runnable.filter((e) => kindOf(e) !== "Mutation")) {
    it(entry.field, () => runEntry(entry, true));
  }
});

describe("mutations: every actor, effect and footprint", () => {
  for (const entry of runnable.filter((e) => kindOf(e) === "Mutation")) {
    it(entry.field, () => runEntry(entry, false));
  }
});

// ---------------------------------------------------------------- /graphql/public

/** A selection of every field reachable from `type`, `depth` levels deep, skipping fields with required arguments. */
function everything(type: GraphQLObjectType, depth: number): string {
  return Object.values(type.getFields())
    .filter((field) => !field.args.some((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined))
    .map((field) => {
      const named = getNamedType(field.type);
      if (isLeafType(named)) return field.name;
      if (depth <= 0 || !isObjectType(named)) return "";
      return `${field.name} { __typename ${everything(named, depth - 1)} }`;
    })
    .filter(Boolean)
    .join(" ");
}

describe("/graphql/public: nothing private exists or is reachable", () => {
  const publicSchema = buildSchemas().public;

  it("introspection shows exactly the allow-list of types and fields", async () => {
    const result = ok(await w.t.gql<IntrospectionQuery>(getIntrospectionQuery(), {}, { endpoint: "/graphql/public" }));
    const served = shapeOf(buildClientSchema(result));
    figures.allowList = Object.keys(served).length;
    expect(served).toEqual(PUBLIC_ALLOW_LIST);
  });

  it("schema/public.graphql (and the built public schema) say the same", () => {
    const printed = shapeOf(buildSchema(readFileSync(new URL("public.graphql", SCHEMA_DIR), "utf8")));
    // The printed file leaves out the built-in scalars it does not use.
    const builtIn = ["Boolean", "Float", "ID", "Int", "String"];
    const withoutBuiltIns = (shape: Record<string, string[]>) => Object.fromEntries(Object.entries(shape).filter(([name]) => !builtIn.includes(name)));
    expect(withoutBuiltIns(printed)).toEqual(withoutBuiltIns(PUBLIC_ALLOW_LIST));
    expect(withoutBuiltIns(shapeOf(publicSchema))).toEqual(withoutBuiltIns(PUBLIC_ALLOW_LIST));
  });

  it("has none of the private names", () => {
    const types = Object.values(publicSchema.getTypeMap()).filter((t: GraphQLNamedType) => !t.name.startsWith("__"));
    expect(types.map((t) => t.name).filter((name) => NEVER_PUBLIC.types.includes(name))).toEqual([]);
    const fieldNames = types.flatMap((t) => (isObjectType(t) ? Object.keys(t.getFields()).map((f) => `${t.name}.${f}`) : []));
    expect(fieldNames.filter((f) => NEVER_PUBLIC.fields.includes(f.split(".")[1]!))).toEqual([]);
    // Enums and scalars only as the allow-list has them.
    expect(types.filter((t) => isEnumType(t) || isScalarType(t)).every((t) => t.name in PUBLIC_ALLOW_LIST)).toBe(true);
  });

  it("the public fields answer every actor alike there (any token is ignored), with nothing private", async () => {
    const problems: string[] = [];
    for (const entry of entries.filter((e) => e.public && walked.includes(e.field))) {
      const answers = await Promise.all(
        ACTORS.map(async (actor) => {
          const { sent, token } = await prepare(entry, actor, w.fx);
          return [actor, await send(entry, "/graphql/public", sent, token)] as const;
        }),
      );
      for (const [actor, answer] of answers) {
        figures.publicCalls++;
        const outcome = outcomeOf(answer, pathOf(entry));
        if (outcome !== "allowed") problems.push(`${entry.field} as ${actor}: ${outcome}: ${brief(answer)}`);
        const leaks = leaked(answer, [...w.secretsOfA.private, ...w.secretsOfB]);
        if (leaks.length) problems.push(`${entry.field} as ${actor}: contains ${leaks.join(", ")}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("every other entry's document is refused there as not existing (no suggestions)", async () => {
    const problems: string[] = [];
    const privateEntries = entries.filter((e) => !e.public && walked.includes(e.field));
    for (let i = 0; i < privateEntries.length; i += 6) {
      await Promise.all(
        privateEntries.slice(i, i + 6).map(async (entry) => {
          // Made-up ids: the document must fail before anything is looked up.
          const { sent } = await prepare(entry, "anonymous", w.phantom);
          const answer = await callHttp(w.t, "/graphql/public", entry.document, sent, w.tokens.admin);
          figures.refusedOnPublic++;
          // Refused before execution: the field does not exist there (its Mutation type has only the
          // public subscription mutations). The second form is graphql-js's for a schema with no Mutation type.
          const refused = (answer.errors ?? []).every(
            (e) => e.extensions?.code === "GRAPHQL_VALIDATION_FAILED" || /^Schema is not configured to execute mutation operation/.test(e.message),
          );
          if (!answer.errors?.length || !refused || answer.data != null) problems.push(`${entry.field}: ${brief(answer)}`);
          if (answer.errors?.some((e) => /did you mean/i.test(e.message))) problems.push(`${entry.field}: suggests names: ${brief(answer)}`);
        }),
      );
    }
    const overWs = entries.find((e) => e.field === "Subscription.organizationEvents");
    if (overWs) {
      const answer = await callWs(w.t, "/graphql/public", overWs.document, { organizationId: w.a.orgId, after: "0000000000000000" }, w.tokens.admin);
      if (outcomeOf(answer, pathOf(overWs)) === "allowed") problems.push(`organizationEvents over WebSocket on /graphql/public: ${brief(answer)}`);
    }
    expect(problems).toEqual([]);
  });

  it("everything reachable from A's status page holds none of its private data and none of B's", async () => {
    // One query per field of StatusPage, as deep as the cost budget lets a visitor go.
    const page = getNamedType(publicSchema.getQueryType()!.getFields().statusPage!.type) as GraphQLObjectType;
    const seen: Answer[] = [];
    for (const field of Object.values(page.getFields())) {
      for (let depth = 4; depth >= 1; depth--) {
        const named = getNamedType(field.type);
        const selection = isObjectType(named) ? `{ __typename ${everything(named, depth - 1)} }` : "";
        // A field with a required argument is asked about A's own object (StatusPage.incident).
        const args = field.name === "incident" ? `(id: "${w.a.incidentId}")` : "";
        const answer = await callHttp(w.t, "/graphql/public", `query($slug: String!) { statusPage(slug: $slug) { ${field.name}${args} ${selection} } }`, { slug: w.a.slug }, undefined);
        if (answer.errors?.[0]?.extensions?.code === "QUERY_TOO_COMPLEX" && depth > 1) continue;
        expect(answer.errors, `${field.name} at depth ${depth}`).toBeUndefined();
        seen.push(answer);
        figures.depths.push(`${field.name}:${depth}`);
        break;
      }
    }
    expect(JSON.stringify(seen.map((a) => a.data))).toContain(w.a.serviceId);
    expect(seen.flatMap((answer) => leaked(answer, [...w.secretsOfA.private, ...w.secretsOfB]))).toEqual([]);
    // And B's incident is no incident of A's page.
    const foreign = await callHttp(w.t, "/graphql/public", `query($slug: String!, $id: ID!) { statusPage(slug: $slug) { incident(id: $id) { id title } } }`, { slug: w.a.slug, id: w.b.incidentId }, undefined);
    expect(foreign.data).toEqual({ statusPage: { incident: null } });
  });
});
