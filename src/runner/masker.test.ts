import { describe, expect, it } from "vitest";
import type { ProgressUpdate } from "../tasks/task.js";
import { type LogLine, MaskingLogSink } from "./log-sink.js";
import { SecretMasker } from "./masker.js";

function masker(...values: string[]): SecretMasker {
  const result = new SecretMasker();
  for (const value of values) result.add(value);
  return result;
}

describe("SecretMasker", () => {
  it.each([
    { name: "plain value", secrets: ["hunter22"], input: "pw=hunter22!", output: "pw=***!" },
    { name: "every occurrence", secrets: ["abcd"], input: "abcd abcd", output: "*** ***" },
    { name: "short value skipped", secrets: ["abc"], input: "abc abcd", output: "abc abcd" },
    { name: "value trimmed", secrets: ["  token-1 \n"], input: "x token-1 y", output: "x *** y" },
    {
      name: "multi-line value masked per line",
      secrets: ["-----BEGIN KEY-----\nMIIEvQIBADANBg\n-----END KEY-----"],
      input: "got MIIEvQIBADANBg here",
      output: "got *** here",
    },
    {
      name: "longer value first",
      secrets: ["pass", "password-long"],
      input: "password-long pass",
      output: "*** ***",
    },
    { name: "no secrets", secrets: [], input: "plain", output: "plain" },
  ])("masks $name", ({ secrets, input, output }) => {
    expect(masker(...secrets).mask(input)).toBe(output);
  });

  it("masks a multi-line value encoded whole", () => {
    const value = "line-one-AAAA\nline-two-BBBB";
    const secrets = masker(value);
    expect(secrets.mask(Buffer.from(value).toString("base64"))).toBe("***");
    expect(secrets.mask(Buffer.from(`${value}\n`).toString("base64"))).toBe("***");
  });

  it("masks each line of a long value's wrapped base64", () => {
    const value = `fake-${"k".repeat(120)}`;
    const wrapped = Buffer.from(value)
      .toString("base64")
      .match(/.{1,76}/g)!;
    expect(wrapped.length).toBe(3);
    const secrets = masker(value);
    for (const line of wrapped) expect(secrets.mask(line)).toBe("***");
    expect(secrets.mask("Cg== ok")).toBe("Cg== ok");
  });

  it("masks a value split by colour codes", () => {
    const secrets = masker("fake-plain-value-7Q2x");
    expect(secrets.mask("got fake-plain-valu\u001b[0me-7Q2x\u001b[31m!")).toBe("got ***!");
    expect(secrets.mask("\u001b[31mred\u001b[0m fake")).toBe("\u001b[31mred\u001b[0m fake");
  });

  it.each([
    { name: "JSON-escaped", input: JSON.stringify('x fake\\back"q\ty') },
    { name: "percent-encoded", input: `x ${encodeURIComponent('fake\\back"q\ty')} y` },
    { name: "URL-parsed", input: new URL("http://u:fake%5Cback%22q%09y@host/").href },
    { name: "base64", input: `x ${Buffer.from('fake\\back"q\ty').toString("base64")} y` },
  ])("masks the $name form of a secret", ({ input }) => {
    const output = masker('fake\\back"q\ty').mask(input);
    expect(output).toContain("***");
    expect(output).not.toContain("back");
  });

  it("finds a cut that splits no secret", () => {
    const m = masker("SECRETVALUE");
    expect(m.safeCut("abcSECRETVALUEdef", 6)).toBe(3);
    expect(m.safeCut("SECRETVALUEdef", 6)).toBe(11);
    expect(m.safeCut("abcdefSECRETVALUE", 6)).toBe(6);
  });
});

describe("MaskingLogSink", () => {
  it("has progress only when asked", () => {
    expect(new MaskingLogSink(masker(), () => {}).progress).toBeUndefined();
  });

  it("masks progress updates", () => {
    const updates: ProgressUpdate[] = [];
    const log = new MaskingLogSink(masker("hunter2"), () => {}, {
      progress: (update) => updates.push(update),
    });
    log.progress?.({ kind: "pull", image: "u:hunter2@host/app", status: "Waiting hunter2" });
    expect(updates).toEqual([{ kind: "pull", image: "u:***@host/app", status: "Waiting ***" }]);
  });

  function sink(secrets: string[], maxLineLength?: number) {
    const lines: LogLine[] = [];
    const log = new MaskingLogSink(masker(...secrets), (line) => lines.push(line), {
      maxLineLength,
    });
    return { log, lines, texts: () => lines.map((line) => line.text) };
  }

  it("masks a secret split across chunks", () => {
    const { log, texts } = sink(["topsecret"]);
    log.write("token: top");
    log.write("sec");
    log.write("ret done\nnext");
    expect(texts()).toEqual(["token: *** done"]);
    log.flush();
    expect(texts()).toEqual(["token: *** done", "next"]);
  });

  it("keeps stdout and stderr partial lines apart", () => {
    const { log, lines } = sink([]);
    log.write("out-", "stdout");
    log.write("err-", "stderr");
    log.write("1\n", "stdout");
    log.write("2\n", "stderr");
    expect(lines.map((line) => [line.stream, line.text])).toEqual([
      ["stdout", "out-1"],
      ["stderr", "err-2"],
    ]);
  });

  it("strips carriage returns of CRLF lines", () => {
    const { log, texts } = sink([]);
    log.write("a\r\nb\r\n");
    expect(texts()).toEqual(["a", "b"]);
  });

  it("splits info text into masked lines", () => {
    const { log, lines } = sink(["secret-value"]);
    log.info("first secret-value\nsecond");
    expect(lines.map((line) => [line.stream, line.text])).toEqual([
      ["info", "first ***"],
      ["info", "second"],
    ]);
  });

  it("masks each line of a multi-line secret in output", () => {
    const { log, texts } = sink(["line-one-secret\nline-two-secret"]);
    log.write("line-one-secret\nline-two-secret\n");
    expect(texts()).toEqual(["***", "***"]);
  });

  it("caps long lines without splitting a secret", () => {
    const { log, texts } = sink(["SECRETVALUE"], 10);
    log.write("0123456SECRETVALUE89abcdefghij\n");
    const output = texts();
    expect(output.join("")).toBe("0123456***89abcdefghij");
    for (const line of output) expect(line.length).toBeLessThanOrEqual(10);
    expect(output.join("\n")).not.toContain("SECRET");
  });

  it("emits pieces of a long line before its newline arrives", () => {
    const { log, texts } = sink(["SECRETVALUE"], 10);
    log.write("x".repeat(30));
    expect(texts().length).toBeGreaterThan(0);
    log.write("abcdeSECRETV");
    log.write("ALUE");
    log.flush();
    expect(texts().join("")).toBe(`${"x".repeat(30)}abcde***`);
    for (const line of texts()) expect(line).not.toMatch(/SEC|LUE/);
  });
});
