import { describe, expect, it } from "vitest";
import { escapeHtml, html, path, raw, withQuery } from "./html.js";

describe("escapeHtml", () => {
  it("escapes the five markup characters", () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
    );
  });

  it("leaves other text alone", () => {
    expect(escapeHtml("ünïcödé → ok")).toBe("ünïcödé → ok");
  });
});

describe("html template", () => {
  it("escapes interpolated strings", () => {
    const name = "<script>alert(1)</script>";
    expect(html`<td>${name}</td>`.value).toBe("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>");
  });

  it("escapes values inside attributes", () => {
    const value = `" onmouseover="alert(1)`;
    expect(html`<input value="${value}">`.value).toBe(
      `<input value="&quot; onmouseover=&quot;alert(1)">`,
    );
  });

  it("inserts SafeHtml as is", () => {
    const inner = html`<b>${"<i>"}</b>`;
    expect(html`<p>${inner}</p>`.value).toBe("<p><b>&lt;i&gt;</b></p>");
    expect(html`${raw("<hr>")}`.value).toBe("<hr>");
  });

  it("joins arrays and skips empty values", () => {
    expect(html`${["a", "<", html`<br>`]}|${null}|${undefined}|${false}|${0}`.value).toBe(
      "a&lt;<br>||||0",
    );
  });
});

describe("path", () => {
  it("encodes each value as one segment", () => {
    expect(path`/ui/repositories/${"a b"}/archive/${"feature/x?y#z"}`).toBe(
      "/ui/repositories/a%20b/archive/feature%2Fx%3Fy%23z",
    );
  });
});

describe("withQuery", () => {
  it("drops unset parameters", () => {
    expect(withQuery("/runs", { status: "failed", bookmark: undefined, page: 2 })).toBe(
      "/runs?status=failed&page=2",
    );
    expect(withQuery("/runs", { bookmark: "" })).toBe("/runs");
  });

  it("encodes values", () => {
    expect(withQuery("/runs", { bookmark: "a&b=c" })).toBe("/runs?bookmark=a%26b%3Dc");
  });
});
