// A refused request in the product's words: the server's own message when it wrote one for
// people (every refusal the API makes itself), else words instead of GraphQL's raw text (a value
// the form let through that GraphQL could not even read), and the field at fault if one is.
import type { CombinedError } from "@urql/core";

export interface Refusal {
  message: string;
  /** The input field at fault (extensions.field), if one is. */
  field: string | null;
  code: string | null;
}

/** The forms' labels of the API's input fields (what the API's own messages call them too). */
const LABELS: Record<string, string> = {
  name: "Name", title: "Title", message: "Update", description: "Description", group: "Group", position: "Order",
  email: "Email", password: "Password", organizationName: "Organisation name", organizationSlug: "Page address",
  serviceIds: "Services", scheduledStart: "Start", scheduledEnd: "End", impact: "Impact", customDomain: "Custom domain", role: "Role",
};

export const labelOf = (field: string) => LABELS[field] ?? field;

/** GraphQL's own wording, never meant for people: variable coercion, validation, parsing. */
const RAW = /^Variable "\$|cannot represent|Expected value of type|is not defined by type|Cannot query field|Syntax Error|Unknown argument/;

export function refusalOf(error: CombinedError): Refusal {
  const first = error.graphQLErrors[0];
  if (!first) return { message: "The server could not be reached. Try again.", field: null, code: null };
  const code = typeof first.extensions.code === "string" ? first.extensions.code : null;
  const field = typeof first.extensions.field === "string" ? first.extensions.field : null;
  if (!RAW.test(first.message)) return { message: first.message, field, code };
  const what = field ? labelOf(field) : "A value";
  const message = /non 32-bit signed integer|non-integer/.test(first.message) ? `${what} must be a whole number in range.` : `${what} is not a valid value.`;
  return { message, field, code };
}
