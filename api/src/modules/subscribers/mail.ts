// What a subscriber is sent, without I/O: the confirmation mail, the "already subscribed" mail
// and the notification of an event, each as plain text and HTML (every value escaped by
// lib/html.ts), with the page's links. A notification is the same summary the webhooks' Slack
// and Discord messages are made from (modules/webhooks/messages.ts), and carries RFC 8058's
// one-click unsubscribe headers besides the manage and unsubscribe links in its body.
import { html, type Html } from "../../lib/html.ts";
import type { Mail } from "../../lib/mailer.ts";
import { statusPageUrl } from "../webhooks/payload.ts";
import { summarise, type NotificationPayload } from "../webhooks/messages.ts";

/** The one-click unsubscribe endpoint (RFC 8058): a POST with body List-Unsubscribe=One-Click. */
export const ONE_CLICK_PATH = "/api/subscriptions/unsubscribe";

/** The web app's pages (web/): confirm, and manage (change services, unsubscribe). */
export const confirmUrl = (publicUrl: string, slug: string, token: string) => `${statusPageUrl(publicUrl, slug)}/subscription/confirm?token=${encodeURIComponent(token)}`;
export const manageUrl = (publicUrl: string, slug: string, token: string) => `${statusPageUrl(publicUrl, slug)}/subscription?token=${encodeURIComponent(token)}`;
export const oneClickUrl = (publicUrl: string, token: string) => `${publicUrl}${ONE_CLICK_PATH}?token=${encodeURIComponent(token)}`;

interface Page {
  name: string;
  slug: string;
}

/** The links every mail of a confirmed subscriber carries. */
export interface ManageLinks {
  manage: string;
  unsubscribe: string;
}

export function manageLinks(publicUrl: string, slug: string, manageToken: string): ManageLinks {
  return { manage: manageUrl(publicUrl, slug, manageToken), unsubscribe: oneClickUrl(publicUrl, manageToken) };
}

const layout = (body: Html) => html`<!doctype html><html><body style="font-family:sans-serif;line-height:1.5;color:#222">${body}</body></html>`;

function footer(page: Page, links: ManageLinks): { text: string[]; html: Html } {
  return {
    text: ["--", `You get this because you subscribed to the ${page.name} status page.`, `Change the services you follow: ${links.manage}`, `Unsubscribe: ${links.manage}`],
    html: html`<hr><p style="font-size:12px;color:#666">You get this because you subscribed to the ${page.name} status page.
<a href="${links.manage}">Change the services you follow</a> · <a href="${links.manage}">Unsubscribe</a></p>`,
  };
}

/** RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs to the URL. */
function unsubscribeHeaders(links: ManageLinks): Record<string, string> {
  return { "List-Unsubscribe": `<${links.unsubscribe}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };
}

export function confirmationMail(to: string, page: Page, url: string, expiresAt: Date): Mail {
  const expires = expiresAt.toUTCString();
  return {
    to,
    subject: `Confirm your subscription to the ${page.name} status page`,
    text: [
      `Someone (hopefully you) asked to get mails about incidents and maintenance on the ${page.name} status page at this address.`,
      "",
      "Open this link to confirm:",
      url,
      "",
      `The link expires ${expires}. If you did not ask for this, ignore this mail: nothing more will be sent.`,
    ].join("\n"),
    html: layout(html`<p>Someone (hopefully you) asked to get mails about incidents and maintenance on the <strong>${page.name}</strong> status page at this address.</p>
<p><a href="${url}">Confirm the subscription</a></p>
<p>The link expires ${expires}. If you did not ask for this, ignore this mail: nothing more will be sent.</p>`).text,
  };
}

/** Sent instead of a confirmation when the address is already confirmed: its links, nothing else. */
export function alreadySubscribedMail(to: string, page: Page, links: ManageLinks): Mail {
  const end = footer(page, links);
  return {
    to,
    subject: `Your subscription to the ${page.name} status page`,
    text: [`This address is already subscribed to the ${page.name} status page (someone asked to subscribe it again).`, "", ...end.text].join("\n"),
    html: layout(html`<p>This address is already subscribed to the <strong>${page.name}</strong> status page (someone asked to subscribe it again).</p>${end.html}`).text,
    headers: unsubscribeHeaders(links),
  };
}

export function notificationMail(to: string, payload: NotificationPayload, links: ManageLinks): Mail {
  const s = summarise(payload);
  const page = payload.organization;
  const end = footer(page, links);
  return {
    to,
    subject: `[${page.name}] ${s.headline}`,
    text: [s.headline, "", ...s.fields.map(([label, value]) => `${label}: ${value}`), ...(s.body ? ["", s.body] : []), "", `Details: ${s.url}`, "", ...end.text].join("\n"),
    html: layout(html`<h2 style="font-size:18px">${s.headline}</h2>
${s.fields.map(([label, value]) => html`<p><strong>${label}:</strong> ${value}</p>`)}
${s.body ? html`<p style="white-space:pre-wrap">${s.body}</p>` : ""}
<p><a href="${s.url}">View on the ${page.name} status page</a></p>${end.html}`).text,
    headers: unsubscribeHeaders(links),
  };
}
