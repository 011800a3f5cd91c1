// The results as one table (stdout), bench/results/latest.json and bench/results/latest.svg: a
// bar per figure on a log scale with its target marked, green when met. Hand-written SVG so the
// chart needs no dependency and reads in a browser, GitHub and docs/PERFORMANCE.md alike.

export interface Row {
  scenario: string;
  figure: string;
  product: string;
  baseline: string;
  ratio: string;
  target: string;
  /** null: not judged (no figure, or no target that a number can check). */
  met: boolean | null;
  /** The bar: `value` against `target` (e.g. ratio 3.2 against ≤ 1.5). */
  chart?: { value: number; target: number; better: "lower" | "higher"; label: string };
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length));

export function table(rows: Row[]): string {
  const header: Row = { scenario: "", figure: "figure", product: "product", baseline: "baseline", ratio: "ratio", target: "target", met: null };
  const cells = (r: Row) => [r.scenario, r.figure, r.product, r.baseline, r.ratio, r.target, r === header ? "met" : r.met === null ? "–" : r.met ? "yes" : "NO"];
  const all = [header, ...rows].map(cells);
  const widths = all[0]!.map((_, c) => Math.max(...all.map((row) => row[c]!.length)));
  return all.map((row) => row.map((cell, c) => pad(cell, widths[c]!)).join("  ").trimEnd()).join("\n");
}

/** The same table in Markdown, for docs/PERFORMANCE.md. */
export function markdown(rows: Row[]): string {
  const lines = ["| | figure | product | baseline | ratio | target | met |", "| --- | --- | --- | --- | --- | --- | --- |"];
  for (const r of rows) lines.push(`| ${r.scenario} | ${r.figure} | ${r.product} | ${r.baseline} | ${r.ratio} | ${r.target} | ${r.met === null ? "–" : r.met ? "yes" : "**no**"} |`);
  return lines.join("\n");
}

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Log-scale bars from 0.01× to 1000× of the unit each figure is stated in. */
export function svg(rows: Row[], title: string): string {
  const charted = rows.filter((r) => r.chart && Number.isFinite(r.chart.value) && r.chart.value > 0);
  // Pass/fail checks without a scale (lost events, cross-tenant deliveries) listed under the bars.
  const checks = rows.filter((r) => !r.chart && r.met !== null);
  const left = 330;
  const width = 1000;
  const plot = width - left - 190;
  const rowHeight = 26;
  const top = 56;
  const height = top + charted.length * rowHeight + 44 + checks.length * 18;
  const [lo, hi] = [-3, 3]; // log10 range
  const x = (v: number) => left + ((Math.min(hi, Math.max(lo, Math.log10(v))) - lo) / (hi - lo)) * plot;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">${escape(title)}</text>`,
    `<text x="12" y="40" fill="#555">Bar: measured figure (log scale); black tick: target. Green: target met, red: not.</text>`,
  ];
  for (let p = lo; p <= hi; p++) {
    const gx = x(10 ** p);
    out.push(`<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${top + charted.length * rowHeight}" stroke="#ddd"/>`);
    out.push(`<text x="${gx}" y="${top + charted.length * rowHeight + 14}" text-anchor="middle" fill="#555">${10 ** p}</text>`);
  }
  charted.forEach((r, i) => {
    const y = top + i * rowHeight;
    const c = r.chart!;
    const ok = c.better === "lower" ? c.value <= c.target : c.value >= c.target;
    out.push(`<text x="${left - 8}" y="${y + 15}" text-anchor="end">${escape(`${r.scenario} ${r.figure}`)}</text>`);
    out.push(`<rect x="${left}" y="${y + 4}" width="${Math.max(1, x(c.value) - left)}" height="16" fill="${ok ? "#2f9e44" : "#e03131"}"/>`);
    out.push(`<line x1="${x(c.target)}" y1="${y + 1}" x2="${x(c.target)}" y2="${y + 23}" stroke="#000" stroke-width="2"/>`);
    out.push(`<text x="${Math.min(width - 185, x(c.value) + 4)}" y="${y + 16}">${escape(c.label)}</text>`);
  });
  checks.forEach((r, i) => {
    const y = top + charted.length * rowHeight + 38 + i * 18;
    out.push(`<text x="12" y="${y}" fill="${r.met ? "#2f9e44" : "#e03131"}">${r.met ? "✓" : "✗"} ${escape(`${r.scenario} ${r.figure}: ${r.product} (target ${r.target})`)}</text>`);
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}
