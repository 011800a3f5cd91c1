// A refused subscription request in a visitor's words, and the field it belongs beside. A limit
// reached (per address or per network, RATE_LIMITED) is said beside the address, with the wait.
import type { CombinedError } from "@urql/core";
import { refusalOf } from "./refusal-words.ts";

export interface SubscriptionRefusal {
  field: "email" | "serviceIds" | null;
  message: string;
}

/** A plausible address: the server has the last word (BAD_USER_INPUT, field email). */
export const looksLikeEmail = (value: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);

/** "in 30 seconds", "in 12 minutes", "in an hour", "in 2 hours". */
function waitInWords(seconds: number): string {
  if (seconds < 90) return `in ${Math.max(1, Math.ceil(seconds))} seconds`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `in ${minutes} minutes`;
  return minutes === 60 ? "in an hour" : `in ${Math.ceil(minutes / 60)} hours`;
}

export function subscriptionRefusal(error: CombinedError): SubscriptionRefusal {
  const first = error.graphQLErrors[0];
  if (first?.extensions.code === "RATE_LIMITED") {
    const wait = typeof first.extensions.retryAfter === "number" ? first.extensions.retryAfter : null;
    const when = wait === null ? "in a minute" : waitInWords(wait);
    return { field: "email", message: `Too many subscription requests for this address or from your network. Try again ${when}.` };
  }
  const refusal = refusalOf(error);
  if (refusal.field === "email") return { field: "email", message: refusal.code === "BAD_USER_INPUT" ? "Enter a valid email address, like name@example.com." : refusal.message };
  if (refusal.field === "serviceIds") return { field: "serviceIds", message: "One of the chosen services no longer exists: reload the page and choose again." };
  return { field: null, message: refusal.message };
}
