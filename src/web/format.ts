import { html, type SafeHtml } from "./html.js";
import type { RunStatus, TaskStatusView } from "./model.js";

// A no-break space keeps a number on the same line as its unit.
const NBSP = "\u00a0";

/** Formats a duration in milliseconds as `850 ms`, `12.4 s`, `3 min 05 s` or `2 h 07 min`. */
export function formatDuration(milliseconds: number): string {
  if (milliseconds < 0) return `0${NBSP}ms`;
  if (milliseconds < 1000) return `${Math.round(milliseconds)}${NBSP}ms`;
  if (milliseconds < 60_000) return `${(milliseconds / 1000).toFixed(1)}${NBSP}s`;
  const seconds = Math.floor(milliseconds / 1000);
  if (seconds < 3600) {
    const rest = String(seconds % 60).padStart(2, "0");
    return `${Math.floor(seconds / 60)}${NBSP}min ${rest}${NBSP}s`;
  }
  const minutes = Math.floor(seconds / 60);
  const rest = String(minutes % 60).padStart(2, "0");
  return `${Math.floor(minutes / 60)}${NBSP}h ${rest}${NBSP}min`;
}

/** Returns the duration between two times, counting to `now` while unfinished; "" before the start. */
export function durationText(
  startedAt: number | null,
  finishedAt: number | null,
  now: number,
): string {
  if (startedAt === null) return "";
  return formatDuration((finishedAt ?? now) - startedAt);
}

/** Formats a time as `2026-12-04 20:15:03 UTC`. */
export function formatTime(time: number): string {
  return `${new Date(time).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** Renders a `<time>` element, or nothing for a missing time. */
export function timeElement(time: number | null): SafeHtml {
  if (time === null) return html``;
  return html`<time datetime="${new Date(time).toISOString()}">${formatTime(time)}</time>`;
}

/** Renders a status pill; its text is the status word, so it reads without colour. */
export function statusPill(status: RunStatus | TaskStatusView | "none"): SafeHtml {
  const text = status === "none" ? "no runs" : status;
  return html`<span class="st st-${status}" data-status="${status}">${text}</span>`;
}

/** Returns the first line of `text`, cut to `limit` characters. */
export function firstLine(text: string, limit = 120): string {
  const line = text.split("\n", 1)[0] ?? "";
  return line.length > limit ? `${line.slice(0, limit - 1)}…` : line;
}
