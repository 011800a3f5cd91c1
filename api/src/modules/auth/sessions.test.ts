import { afterEach, describe, expect, it, vi } from "vitest";
import { createSessions, InvalidToken } from "./sessions.ts";

const SECRET = "sessions-test-secret-sessions-test-secret-0123";
const sessions = createSessions({ jwtSecret: SECRET, sessionTtlSeconds: 3600 });

afterEach(() => void vi.useRealTimers());

describe("session tokens", () => {
  it("stops accepting a token at its expiry, also one it has already checked", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-12-03T12:00:00Z"));
    const token = await sessions.sign("user-1", "session-1", new Date("2026-12-03T12:00:02Z"));
    // Twice: the second answer is the remembered one.
    expect(await sessions.verify(token)).toMatchObject({ kind: "session", userId: "user-1", sessionId: "session-1" });
    expect(await sessions.verify(token)).toMatchObject({ kind: "session", userId: "user-1", sessionId: "session-1" });
    vi.setSystemTime(new Date("2026-12-03T12:00:03Z"));
    await expect(sessions.verify(token)).rejects.toBeInstanceOf(InvalidToken);
  });

  it("refuses a token whose signature was altered, after the genuine one was accepted", async () => {
    const token = await sessions.sign("user-2", "session-2", new Date(Date.now() + 60_000));
    await sessions.verify(token);
    const [header, payload, signature] = token.split(".");
    const flipped = `${signature!.slice(0, -2)}${signature!.endsWith("AA") ? "AB" : "AA"}`;
    await expect(sessions.verify(`${header}.${payload}.${flipped}`)).rejects.toBeInstanceOf(InvalidToken);
    // Another user's id in a payload signed for user-2 is not user-2's token.
    const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, "base64url").toString()), sub: "user-3" })).toString("base64url");
    await expect(sessions.verify(`${header}.${forgedPayload}.${signature}`)).rejects.toBeInstanceOf(InvalidToken);
  });

  it("does not take a token signed with another key, whatever it has cached", async () => {
    const other = createSessions({ jwtSecret: "another-secret-another-secret-another-secret", sessionTtlSeconds: 3600 });
    const token = await other.sign("user-4", "session-4", new Date(Date.now() + 60_000));
    await other.verify(token);
    await expect(sessions.verify(token)).rejects.toBeInstanceOf(InvalidToken);
  });
});
