// A shields-style SVG badge of the page indicator, for READMEs and dashboards.
import type { StatusIndicator } from "../services/domain.ts";

const COLOURS: Record<StatusIndicator, string> = { NONE: "#1f9d55", MINOR: "#d69e2e", MAJOR: "#dd6b20", CRITICAL: "#c53030", MAINTENANCE: "#3182ce" };
const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
/** Verdana 11px averages about 6.5 px a character: close enough for a badge. */
const widthOf = (text: string) => Math.round(text.length * 6.5) + 12;

export function badgeSvg(indicator: StatusIndicator, description: string): string {
  const label = "status";
  const left = widthOf(label);
  const right = widthOf(description);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${left + right}" height="20" role="img" aria-label="${escapeXml(`${label}: ${description}`)}">
  <title>${escapeXml(`${label}: ${description}`)}</title>
  <rect width="${left}" height="20" fill="#555"/>
  <rect x="${left}" width="${right}" height="20" fill="${COLOURS[indicator]}"/>
  <g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">
    <text x="${left / 2}" y="14">${label}</text>
    <text x="${left + right / 2}" y="14">${escapeXml(description)}</text>
  </g>
</svg>
`;
}
