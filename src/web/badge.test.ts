import { describe, expect, it } from "vitest";
import { type BadgeStatus, renderBadge } from "./badge.js";

describe("renderBadge", () => {
  const statuses: BadgeStatus[] = [
    "success",
    "failed",
    "running",
    "queued",
    "cancelled",
    "interrupted",
    "none",
  ];

  for (const status of statuses) {
    it(`renders ${status} as an SVG`, () => {
      const svg = renderBadge(status);
      expect(svg.startsWith("<svg")).toBe(true);
      expect(svg.endsWith("</svg>")).toBe(true);
      expect(svg).toContain('role="img"');
    });
  }

  it("names the status in words", () => {
    expect(renderBadge("success")).toContain(">passing</text>");
    expect(renderBadge("failed")).toContain(">failing</text>");
    expect(renderBadge("none")).toContain(">no runs</text>");
  });

  it("escapes the label", () => {
    const svg = renderBadge("success", `ci <script>&"`);
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("ci &lt;script&gt;&amp;&quot;");
  });

  it("grows with the label", () => {
    const width = (svg: string) => Number(/width="(\d+)"/.exec(svg)![1]);
    expect(width(renderBadge("success", "ci release/2026-12"))).toBeGreaterThan(
      width(renderBadge("success", "ci")),
    );
  });
});
