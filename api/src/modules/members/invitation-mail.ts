// The invitation mail: plain text and simple HTML, the same for every address (whether it has an
// account or not), carrying the link.
import type { Role } from "../../generated/prisma/enums.ts";
import type { Mail } from "../../lib/mailer.ts";

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

export function invitationMail(input: { to: string; organizationName: string; role: Role; url: string; expiresAt: Date }): Mail {
  const role = input.role === "ADMIN" ? "an admin" : "a member";
  const expires = input.expiresAt.toUTCString();
  const subject = `You are invited to ${input.organizationName} on Statuspage`;
  const text = [
    `You have been invited to join ${input.organizationName} on Statuspage as ${role}.`,
    "",
    "Open this link to accept (new here? you choose your password there):",
    input.url,
    "",
    `The link works once and expires ${expires}. If you did not expect this invitation, ignore this mail.`,
  ].join("\n");
  const html = [
    `<p>You have been invited to join <strong>${escapeHtml(input.organizationName)}</strong> on Statuspage as ${role}.</p>`,
    `<p><a href="${escapeHtml(input.url)}">Accept the invitation</a></p>`,
    `<p>New here? You choose your password there. The link works once and expires ${escapeHtml(expires)}.</p>`,
    `<p>If you did not expect this invitation, ignore this mail.</p>`,
  ].join("\n");
  return { to: input.to, subject, text, html };
}
