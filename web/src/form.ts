/** A text field of a submitted form, trimmed (passwords: `raw`); "" when absent (or a file). */
export function formText(form: FormData, name: string, { raw = false } = {}): string {
  const value = form.get(name);
  if (typeof value !== "string") return "";
  return raw ? value : value.trim();
}
