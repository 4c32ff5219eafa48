import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadConfig, renderConfig, templateData } from "../../src/config/index.js";

const fixtures = new URL("../fixtures/config/", import.meta.url);
const seeds = ["seed", "valid"].flatMap((folder) => {
  const dir = new URL(`${folder}/`, fixtures);
  return readdirSync(dir)
    .sort()
    .map((name) => readFileSync(new URL(name, dir), "utf8"));
});

// Characters that matter to YAML or to templates, so mutations hit the parsers' edge cases.
const ALPHABET = [..."\n\t :-[]{}\"'#&*!|>%@`,?<$\\{}.0aZ", "{{", "}}", "<<: ", "---\n", "  "];

/** A small deterministic generator (mulberry32), so a failure reproduces from its iteration number. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(text: string, next: () => number): string {
  let result = text;
  const edits = 1 + Math.floor(next() * 3);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * (result.length + 1));
    const choice = next();
    if (choice < 0.4) result = result.slice(0, at) + result.slice(at + 1);
    else
      result =
        result.slice(0, at) + ALPHABET[Math.floor(next() * ALPHABET.length)] + result.slice(at);
  }
  return result;
}

describe("mutated configs", () => {
  it("load and render without throwing, with positions inside the file", () => {
    const next = random(20261204);
    const data = templateData({ Rev: "main", ArchiveUrl: "https://pogo.test/a.zip" });
    const env = { now: () => new Date(0), secret: () => "value" };
    const failures: string[] = [];
    for (let iteration = 0; iteration < 600; iteration++) {
      const text = mutate(seeds[iteration % seeds.length]!, next);
      const lineCount = text.split("\n").length;
      const loaded = loadConfig("ci.yaml", text);
      if ((loaded.config === undefined) !== loaded.diagnostics.length > 0) {
        failures.push(`iteration ${iteration}: config and diagnostics disagree`);
      }
      for (const diagnostic of [...loaded.diagnostics, ...loaded.warnings]) {
        const inside =
          diagnostic.line >= 1 && diagnostic.line <= lineCount && diagnostic.column >= 1;
        if (!inside || diagnostic.message === "") {
          failures.push(
            `iteration ${iteration}: ${diagnostic.line}:${diagnostic.column} ${diagnostic.message}`,
          );
        }
      }
      renderConfig("ci.yaml", text, data, env);
    }
    expect(failures).toEqual([]);
  });
});
