import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Ajv } from "ajv";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  jsonSchemaText,
  loadConfig,
  pipelineSchema,
  SCHEMA_LIMITS,
  xsdText,
} from "../../src/config/index.js";
import type { Schema } from "../../src/config/schema-model.js";
import { invalidCases } from "./invalid-cases.js";

const schemaDir = new URL("../../schema/", import.meta.url);
const fixtures = new URL("../fixtures/config/", import.meta.url);

function fixtureTexts(folder: string): Array<[string, string]> {
  const dir = new URL(`${folder}/`, fixtures);
  return readdirSync(dir)
    .sort()
    .map((name) => [`${folder}/${name}`, readFileSync(new URL(name, dir), "utf8")]);
}

const validTexts = [...fixtureTexts("seed"), ...fixtureTexts("valid")];
const schemaCases = invalidCases.filter((c) => !c.yamlLevel);

describe("committed schema files", () => {
  it("schema.json matches the schema in code; run `npm run schema` if not", () => {
    expect(readFileSync(new URL("schema.json", schemaDir), "utf8")).toBe(jsonSchemaText());
  });

  it("schema.xsd matches the schema in code; run `npm run schema` if not", () => {
    expect(readFileSync(new URL("schema.xsd", schemaDir), "utf8")).toBe(xsdText());
  });

  it("documents every schema limit", () => {
    const guide = readFileSync(new URL("../../docs/config.md", import.meta.url), "utf8");
    expect(SCHEMA_LIMITS.length).toBeGreaterThan(0);
    for (const limit of SCHEMA_LIMITS) expect(guide).toContain(`- ${limit}`);
  });
});

describe("schema.json with ajv", () => {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  const validate = ajv.compile(JSON.parse(readFileSync(new URL("schema.json", schemaDir), "utf8")));

  it.each(validTexts)("accepts %s like the code", (name, text) => {
    expect(loadConfig(name, text).diagnostics).toEqual([]);
    const valid = validate(parse(text, { merge: true }));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it.each(schemaCases.filter((c) => !c.schemaGap).map((c) => [c.name, c] as const))(
    "rejects %s like the code",
    (_, c) => {
      expect(loadConfig("ci.yaml", c.text).diagnostics).not.toEqual([]);
      expect(validate(parse(c.text, { merge: true }))).toBe(false);
    },
  );

  // These defects are beyond JSON Schema; pinning ajv's verdict keeps SCHEMA_LIMITS honest.
  it.each(schemaCases.filter((c) => c.schemaGap).map((c) => [c.name, c] as const))(
    "cannot see %s",
    (_, c) => {
      expect(loadConfig("ci.yaml", c.text).diagnostics).not.toEqual([]);
      expect(validate(parse(c.text, { merge: true }))).toBe(true);
    },
  );
});

const xmllint = spawnSync("xmllint", ["--version"]).status === 0;

describe.skipIf(!xmllint && process.env.CI !== "true")("schema.xsd with xmllint", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "pogo-xsd-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function xsdAccepts(name: string, xml: string): { ok: boolean; output: string } {
    const file = path.join(dir, `${name.replace(/\W+/g, "-")}.xml`);
    writeFileSync(file, xml);
    const result = spawnSync(
      "xmllint",
      ["--noout", "--schema", new URL("schema.xsd", schemaDir).pathname, file],
      {
        encoding: "utf8",
      },
    );
    return { ok: result.status === 0, output: result.stderr };
  }

  it.each(validTexts)("accepts %s in its XML form", (name, text) => {
    const xml = toXml("pipeline", parse(text, { merge: true }), pipelineSchema);
    const verdict = xsdAccepts(name, xml);
    expect(verdict.output).toContain("validates");
    expect(verdict.ok).toBe(true);
  });

  it.each([
    ["unknown key", { version: 1, on: { push: { bookmarks: ["main"] } }, do: [], name: "x" }],
    [
      "version 2",
      { version: 2, on: { push: { bookmarks: ["main"] } }, do: [{ container: { image: "a" } }] },
    ],
    [
      "lower-case method",
      {
        version: 1,
        on: { push: { bookmarks: ["m"] } },
        do: [{ webhook: { url: "https://a.test", method: "post" } }],
      },
    ],
    [
      "bad service name",
      {
        version: 1,
        on: { push: { bookmarks: ["m"] } },
        do: [{ container: { image: "a", services: [{ name: "Db", image: "b" }] } }],
      },
    ],
  ])("rejects %s", (name, value) => {
    expect(xsdAccepts(name, toXml("pipeline", value, pipelineSchema)).ok).toBe(false);
  });
});

/** Writes a config value in the XML form schema.xsd describes. */
function toXml(element: string, value: unknown, schema: Schema | undefined, indent = ""): string {
  const open = `${indent}<${element}>`;
  const close = `</${element}>`;
  if (value === null || typeof value !== "object")
    return `${open}${escapeXml(String(value))}${close}\n`;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    const items = schema?.kind === "list" ? schema.items : undefined;
    return `${open}\n${value.map((item) => toXml("item", item, items, inner)).join("")}${indent}${close}\n`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (schema?.kind === "map") {
    const lines = entries.map(
      ([key, item]) =>
        `${inner}<entry name="${escapeXml(key)}">${escapeXml(String(item))}</entry>\n`,
    );
    return `${open}\n${lines.join("")}${indent}${close}\n`;
  }
  // A task lists `type` first, as the XSD sequence requires.
  if (schema?.kind === "task") entries.sort(([a]) => (a === schema.tag ? -1 : 1));
  const child = (key: string): Schema | undefined => {
    if (schema?.kind === "object") return schema.properties[key]?.schema;
    if (schema?.kind === "task") return schema.variants[key];
    return undefined;
  };
  return `${open}\n${entries.map(([key, item]) => toXml(key, item, child(key), inner)).join("")}${indent}${close}\n`;
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}
