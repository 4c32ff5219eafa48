import { describe, expect, it } from "vitest";
import type { PipelineRun, TaskRun } from "../../runner/types.js";
import {
  liveReporter,
  painter,
  pipelineLabel,
  terminalSafe,
  terminalSafeLines,
} from "./ci-report.js";

const LINK = "\u001b]8;;https://example.test\u001b\\here\u001b]8;;\u001b\\";

describe("terminalSafe", () => {
  it("escapes links and carriage returns", () => {
    expect(terminalSafe(`see ${LINK}`, true)).toBe(
      "see ^[]8;;https://example.test^[\\here^[]8;;^[\\",
    );
    expect(terminalSafe("50%\r100%", false)).toBe("50%^M100%");
  });

  it("keeps colour only when asked", () => {
    expect(terminalSafe("\u001b[31mred", true)).toBe("\u001b[31mred\u001b[0m");
    expect(terminalSafe("\u001b[31mred", false)).toBe("red");
  });

  it("escapes bidi controls", () => {
    expect(terminalSafe("build\u202egnp.yaml", false)).toBe("build<202e>gnp.yaml");
  });

  it("escapes DEL and C1 controls", () => {
    expect(terminalSafe("a\u007fb\u009bc\td", false)).toBe("a^?b<9b>c\td");
  });
});

describe("pipelineLabel", () => {
  it("escapes a newline in a file name", () => {
    expect(pipelineLabel(".pogo/ci/a\nfake line.yaml")).toBe("a^Jfake line.yaml");
  });
});

describe("terminalSafeLines", () => {
  it("escapes each line and keeps newlines", () => {
    const reason = "task 1 (container): Command `echo \u001b]0;title\u0007 \u001b[2J` failed";
    expect(terminalSafeLines(`run failed\n  ${reason}\n`, false)).toBe(
      "run failed\n  task 1 (container): Command `echo ^[]0;title^G ^[[2J` failed\n",
    );
  });

  it("returns plain text unchanged", () => {
    const text = "run a1b2 success\n  push of bookmark main\n";
    expect(terminalSafeLines(text, true)).toBe(text);
  });
});

describe("liveReporter", () => {
  it("escapes control characters in log lines", () => {
    const written: string[] = [];
    const reporter = liveReporter((text) => written.push(text), painter(false));
    const pipeline = { file: ".pogo/ci/build.yaml", index: 0 } as PipelineRun;
    reporter.logLine?.(
      pipeline,
      {} as TaskRun,
      { stream: "stdout", text: `a\rb ${LINK}` } as never,
    );
    expect(written.join("")).toBe(
      "[build.yaml] a^Mb ^[]8;;https://example.test^[\\here^[]8;;^[\\\n",
    );
  });
});
