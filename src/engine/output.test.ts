import { describe, expect, it } from "vitest";
import { stepMarker } from "./convert.js";
import { LinePrefixer, StepMarkerFilter } from "./output.js";

function collectFilter(nonce: string) {
  const events: string[] = [];
  const filter = new StepMarkerFilter(
    nonce,
    (text) => events.push(`text:${text}`),
    (index) => events.push(`step:${index}`),
  );
  return { filter, events };
}

describe("StepMarkerFilter", () => {
  it("replaces markers with steps", () => {
    const { filter, events } = collectFilter("n");
    filter.write(`${stepMarker("n", 0)}\nhello\n${stepMarker("n", 1)}\n`);
    expect(events).toEqual(["step:0", "text:hello\n", "step:1"]);
  });

  it("joins a marker split across chunks", () => {
    const { filter, events } = collectFilter("n");
    const marker = `${stepMarker("n", 2)}\n`;
    filter.write(marker.slice(0, 5));
    filter.write(marker.slice(5));
    expect(events).toEqual(["step:2"]);
  });

  it("passes partial output at once", () => {
    const { filter, events } = collectFilter("n");
    filter.write("progress 50%");
    expect(events).toEqual(["text:progress 50%"]);
  });

  it("finds a marker after a partial line", () => {
    const { filter, events } = collectFilter("n");
    filter.write(`partial${stepMarker("n", 1)}\nsecond\n`);
    expect(events).toEqual(["text:partial", "text:\n", "step:1", "text:second\n"]);
  });

  it("finds a marker in a later chunk", () => {
    const { filter, events } = collectFilter("n");
    filter.write("partial");
    filter.write(`${stepMarker("n", 1)}\n`);
    expect(events).toEqual(["text:partial", "text:\n", "step:1"]);
  });

  it("holds a marker prefix split after a partial line", () => {
    const { filter, events } = collectFilter("n");
    const marker = `${stepMarker("n", 1)}\n`;
    filter.write(`partial${marker.slice(0, 6)}`);
    expect(events).toEqual(["text:partial"]);
    filter.write(marker.slice(6));
    expect(events).toEqual(["text:partial", "text:\n", "step:1"]);
  });

  it("adds no newline after a complete line", () => {
    const { filter, events } = collectFilter("n");
    filter.write(`done\n${stepMarker("n", 1)}\n`);
    expect(events).toEqual(["text:done\n", "step:1"]);
  });

  it("keeps markers of another nonce", () => {
    const { filter, events } = collectFilter("n");
    filter.write(`${stepMarker("x", 0)}\n`);
    expect(events).toEqual([`text:${stepMarker("x", 0)}\n`]);
  });

  it("flushes a held partial line", () => {
    const { filter, events } = collectFilter("n");
    filter.write("::pogo");
    expect(events).toEqual([]);
    filter.flush();
    expect(events).toEqual(["text:::pogo"]);
  });
});

describe("LinePrefixer", () => {
  it("prefixes whole lines only", () => {
    const lines: string[] = [];
    const prefixer = new LinePrefixer("[db] ", (line) => lines.push(line));
    prefixer.write("ready\r\nlistening");
    expect(lines).toEqual(["[db] ready\n"]);
    prefixer.write(" on 5432\n");
    prefixer.write("tail");
    prefixer.flush();
    expect(lines).toEqual(["[db] ready\n", "[db] listening on 5432\n", "[db] tail\n"]);
  });
});
