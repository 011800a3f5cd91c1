// HTML built from templates that escape by construction: every value interpolated into `html`
// is escaped unless it is itself the result of `html` (or a list of them). User-written text
// (organisation, service and incident names, incident messages) can therefore only ever be text.
// The first HTML of the public pages is built with it (modules/public/page-html.ts).

export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text for an element's content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function render(value: HtmlValue): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join("");
  if (value === null || value === undefined || value === false || value === true) return ""; // so `cond && html…` reads naturally
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new Html(out);
}

/**
 * JSON to embed in a `<script type="application/json">` data block: `<`, `>` and `&` as \u
 * escapes, so no text inside can close the element or open a comment, and U+2028/2029 too (old
 * parsers of JSON as JavaScript). Still exactly the same JSON value.
 */
export function jsonForScript(json: string): Html {
  return new Html(json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
}
