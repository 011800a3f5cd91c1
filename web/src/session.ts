// The session token. Kept in memory for requests and in localStorage so that a reload or a new
// tab stays signed in until the token expires (12 h); cleared on log out and on the first
// UNAUTHENTICATED answer. Trade-off recorded in docs/adr/0006-web-session.md.
import { useSyncExternalStore } from "react";

const KEY = "statuspage.session";
const EXPIRED = "Your session has expired: sign in again.";
/** Why the last session ended, for the login page ("Your session has expired"). */
let endedBecause: string | null = null;
let token: string | null = read();
const listeners = new Set<() => void>();

function read(): string | null {
  try {
    const stored = localStorage.getItem(KEY);
    if (stored && isExpired(stored)) {
      localStorage.removeItem(KEY);
      endedBecause = EXPIRED;
      return null;
    }
    return stored;
  } catch {
    return null; // storage disabled: signed out, in memory only
  }
}

function isExpired(jwt: string): boolean {
  if (jwt.startsWith("sp_")) return false;
  try {
    const payload = JSON.parse(atob(jwt.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as { exp?: number };
    return typeof payload.exp === "number" && payload.exp * 1000 <= Date.now();
  } catch {
    return true;
  }
}

function emit(): void {
  listeners.forEach((listener) => listener());
}

export const session = {
  get token(): string | null {
    if (token && isExpired(token)) session.end(EXPIRED);
    return token;
  },
  get authorization(): string | null {
    const current = session.token;
    return current ? `Bearer ${current}` : null;
  },
  start(newToken: string): void {
    token = newToken;
    endedBecause = null;
    localStorage.setItem(KEY, newToken);
    emit();
  },
  end(reason: string | null = null): void {
    if (token === null && reason === endedBecause) return;
    token = null;
    endedBecause = reason;
    localStorage.removeItem(KEY);
    emit();
  },
  /** The reason the session ended, read once by the login page. */
  takeEndReason(): string | null {
    const reason = endedBecause;
    endedBecause = null;
    return reason;
  },
  subscribe: (listener: () => void): (() => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

export function useSessionToken(): string | null {
  return useSyncExternalStore(session.subscribe, () => token);
}
