// Calls for the matrix: over HTTP (queries, mutations) or graphql-ws (subscriptions, first result
// or error), and what they answered: an Outcome, the leak check and the comparison form.
import { connectWs } from "../realtime-kit.ts";
import type { GqlResult, TestApp } from "../harness.ts";
import type { Outcome, Vars } from "./world.ts";

export interface Answer {
  data?: unknown;
  errors?: readonly { message: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> }[] | undefined;
  /** The WebSocket's close code, when the server closed it instead of answering. */
  closeCode?: number;
}

export async function callHttp(t: TestApp, endpoint: string, query: string, variables: Vars, token: string | undefined): Promise<Answer> {
  const result: GqlResult<unknown> = await t.gql<unknown>(query, variables, { token, endpoint });
  return { data: result.data, errors: result.errors };
}

/** Subscribes over graphql-ws and resolves to the first result, the error, or the close. */
export async function callWs(t: TestApp, endpoint: string, query: string, variables: Vars, token: string | undefined, timeoutMs = 10_000): Promise<Answer> {
  const connection = connectWs(t.url, endpoint, token);
  try {
    const subscription = connection.subscribe(query, variables);
    const closed = connection.closed.then((event) => event.code);
    const first = subscription.waitFor(1, timeoutMs).then(
      (received): Answer => received[0]!,
      (): Answer => ({ errors: [{ message: `no result within ${timeoutMs} ms` }] }),
    );
    const answer = await Promise.race([
      first,
      closed.then(async (closeCode): Promise<Answer> => {
        await new Promise((resolve) => setTimeout(resolve, 50)); // the error that came with the close, if any
        return { ...subscription.received[0], closeCode };
      }),
    ]);
    subscription.close();
    if (answer.closeCode !== undefined) return answer;
    // An error without a code is the client's report of a close: say which.
    if (!answer.errors?.length || typeof answer.errors[0]?.extensions?.code === "string") return answer;
    const closeCode = await Promise.race([closed, new Promise<undefined>((resolve) => setTimeout(resolve, 1_000))]);
    return closeCode === undefined ? answer : { ...answer, closeCode };
  } finally {
    await connection.dispose();
  }
}

const CLOSE_CODES: Record<number, Outcome> = { 4401: "UNAUTHENTICATED", 4403: "FORBIDDEN" };

/** The value at `path` in data (null as soon as a step is null or missing). */
function valueAt(data: unknown, path: readonly string[]): unknown {
  let value: unknown = data;
  for (const key of path) {
    if (value === null || value === undefined || typeof value !== "object") return null;
    value = (value as Record<string, unknown>)[key];
  }
  return value ?? null;
}

/** The outcome of an answer, or a description of one outside the table (e.g. "BAD_USER_INPUT: …"). */
export function outcomeOf(answer: Answer, path: readonly string[]): string {
  const error = answer.errors?.[0];
  if (error) {
    const code = error.extensions?.code;
    if (typeof code === "string") {
      const others = answer.errors!.map((e) => e.extensions?.code).filter((c) => c !== code);
      return others.length ? `${code} (+${others.join(",")})` : code;
    }
    if (answer.closeCode && CLOSE_CODES[answer.closeCode]) return CLOSE_CODES[answer.closeCode]!;
    return `no code: ${error.message}${answer.closeCode ? ` (close ${answer.closeCode})` : ""}`;
  }
  if (answer.closeCode) return CLOSE_CODES[answer.closeCode] ?? `closed ${answer.closeCode}`;
  return valueAt(answer.data, path) === null ? "null" : "allowed";
}

/** Which of `secrets` the answer contains. */
export function leaked(answer: Answer, secrets: readonly string[]): string[] {
  const text = JSON.stringify({ data: answer.data, errors: answer.errors });
  return secrets.filter((secret) => secret.length >= 6 && text.includes(secret));
}

/** What must be identical between a foreign object's answer and a made-up one's. */
export function comparable(answer: Answer): unknown {
  return {
    data: answer.data ?? null,
    errors: (answer.errors ?? []).map((e) => ({ message: e.message, code: e.extensions?.code, path: e.path ?? null })),
    closeCode: answer.closeCode ?? null,
  };
}
