// Refuses a webhook URL an admin gives when it points at an internal target, before it is
// stored: the checks of domain.ts, then the name's addresses as the resolver gives them now.
// Deliveries check again at every attempt (send.ts): a name may change what it resolves to.
import { lookup } from "node:dns/promises";
import { badInput } from "../../graphql/errors.ts";
import { checkWebhookUrl, ipLiteralOf, isPublicAddress, PRIVATE_TARGET } from "./domain.ts";

const RESOLVE_TIMEOUT_MS = 3_000;

/** The URL as it will be stored; BAD_USER_INPUT (field url) when it may not be a webhook. */
export async function acceptableWebhookUrl(raw: string, allowPrivate: boolean): Promise<string> {
  const checked = checkWebhookUrl(raw, allowPrivate);
  if (!checked.ok) throw badInput(`url: ${checked.reason}`, "url");
  const { url } = checked;
  if (allowPrivate || ipLiteralOf(url.hostname) !== null) return url.toString();
  // A name that does not resolve (yet, or not from here) is accepted: its deliveries will say
  // so. One that resolves to an internal address is refused now, with the reason.
  const addresses = await Promise.race([
    lookup(url.hostname, { all: true }).catch(() => []),
    new Promise<[]>((resolve) => setTimeout(() => resolve([]), RESOLVE_TIMEOUT_MS).unref()),
  ]);
  if (addresses.some((a) => !isPublicAddress(a.address))) throw badInput(`url: ${PRIVATE_TARGET}`, "url");
  return url.toString();
}
