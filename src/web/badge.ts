import { escapeHtml } from "./html.js";

/** BadgeStatus is what a status badge can show; `none` means no run yet. */
export type BadgeStatus =
  | "success"
  | "failed"
  | "running"
  | "queued"
  | "cancelled"
  | "interrupted"
  | "none";

const BADGE_COLORS: Record<BadgeStatus, string> = {
  success: "#2e7d32",
  failed: "#c62828",
  running: "#1565c0",
  queued: "#6a5d00",
  cancelled: "#5f6368",
  interrupted: "#b45309",
  none: "#757575",
};

const BADGE_TEXT: Record<BadgeStatus, string> = {
  success: "passing",
  failed: "failing",
  running: "running",
  queued: "queued",
  cancelled: "cancelled",
  interrupted: "interrupted",
  none: "no runs",
};

// Approximate advance widths of 11px Verdana, the badge font, so the box
// fits its text without measuring: narrow, wide and ordinary characters.
function textWidth(text: string): number {
  let width = 0;
  for (const character of text) {
    if ("il.,:;|!'".includes(character)) width += 3.5;
    else if ("mwMW@".includes(character)) width += 10;
    else if (/[A-Z]/.test(character)) width += 7.5;
    else width += 6.6;
  }
  return Math.ceil(width);
}

/**
 * Renders a flat SVG status badge: `label` on grey, the status on its colour.
 * Both texts are escaped; the label is cut at 40 characters.
 */
export function renderBadge(status: BadgeStatus, label = "ci"): string {
  const left = label.length > 40 ? `${label.slice(0, 39)}…` : label;
  const right = BADGE_TEXT[status];
  const leftWidth = textWidth(left) + 12;
  const rightWidth = textWidth(right) + 12;
  const width = leftWidth + rightWidth;
  const color = BADGE_COLORS[status];
  const title = escapeHtml(`${left}: ${right}`);
  const leftText = escapeHtml(left);
  const rightText = escapeHtml(right);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" role="img" aria-label="${title}">`,
    `<title>${title}</title>`,
    `<rect width="${leftWidth}" height="20" rx="3" fill="#555"/>`,
    `<rect x="${leftWidth}" width="${rightWidth}" height="20" rx="3" fill="${color}"/>`,
    `<rect x="${leftWidth}" width="4" height="20" fill="${color}"/>`,
    `<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">`,
    `<text x="${leftWidth / 2}" y="14">${leftText}</text>`,
    `<text x="${leftWidth + rightWidth / 2}" y="14">${rightText}</text>`,
    `</g></svg>`,
  ].join("");
}
