// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${NAME}` is the secret syntax under test.
import { describe, expect, it } from "vitest";
import type { TaskConfig } from "../config/types.js";
import {
  MissingSecretError,
  resolveSecretReferences,
  resolveTaskSecrets,
  secretReferences,
  secretSource,
} from "./secrets.js";

const secrets = secretSource({ TOKEN: "tok-123", HOST: "db.internal" }, { HOST: "db.override" });

describe("resolveSecretReferences", () => {
  it.each([
    { input: "Bearer ${TOKEN}", output: "Bearer tok-123" },
    { input: "$${TOKEN}", output: "${TOKEN}" },
    { input: "${TOKEN}$${TOKEN}${TOKEN}", output: "tok-123${TOKEN}tok-123" },
    { input: "$TOKEN and ${ TOKEN } stay", output: "$TOKEN and ${ TOKEN } stay" },
    { input: "later layer wins: ${HOST}", output: "later layer wins: db.override" },
    { input: "no references", output: "no references" },
  ])("turns $input into $output", ({ input, output }) => {
    expect(resolveSecretReferences(input, secrets, () => {})).toBe(output);
  });

  it("reports each resolved value", () => {
    const seen: string[] = [];
    resolveSecretReferences("${TOKEN} ${HOST}", secrets, (value) => seen.push(value));
    expect(seen).toEqual(["tok-123", "db.override"]);
  });

  it("names an unknown secret", () => {
    expect(() => resolveSecretReferences("${NOPE}", secrets, () => {}, "webhook `url`")).toThrow(
      "secret `NOPE` is not set (used in webhook `url`)",
    );
  });
});

describe("secretReferences", () => {
  it("lists names without escaped ones", () => {
    expect(secretReferences("${A} $${B} ${C_1}")).toEqual(["A", "C_1"]);
  });
});

describe("resolveTaskSecrets", () => {
  it("resolves webhook url, header values and body", () => {
    const task: TaskConfig = {
      type: "webhook",
      webhook: {
        url: "https://x.test/?t=${TOKEN}",
        method: "POST",
        headers: { "X-${TOKEN}": "${TOKEN}" },
        body: "${HOST}",
      },
    };
    const resolved = resolveTaskSecrets(task, secrets, () => {});
    expect(resolved).toEqual({
      type: "webhook",
      webhook: {
        url: "https://x.test/?t=tok-123",
        method: "POST",
        headers: { "X-${TOKEN}": "tok-123" },
        body: "db.override",
      },
    });
  });

  it("resolves container and service environment but not commands", () => {
    const task: TaskConfig = {
      type: "container",
      container: {
        image: "alpine",
        commands: ["echo ${TOKEN}"],
        environment: { A: "${TOKEN}" },
        services: [{ name: "db", image: "postgres", environment: { B: "${HOST}" } }],
      },
    };
    const resolved = resolveTaskSecrets(task, secrets, () => {});
    if (resolved.type !== "container") throw new Error("expected a container task");
    expect(resolved.container.commands).toEqual(["echo ${TOKEN}"]);
    expect(resolved.container.environment).toEqual({ A: "tok-123" });
    expect(resolved.container.services![0]!.environment).toEqual({ B: "db.override" });
  });

  it("names the field of an unknown secret", () => {
    const task: TaskConfig = {
      type: "container",
      container: {
        image: "alpine",
        services: [{ name: "db", image: "pg", environment: { P: "${X}" } }],
      },
    };
    let error: unknown;
    try {
      resolveTaskSecrets(task, secrets, () => {});
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MissingSecretError);
    expect((error as MissingSecretError).code).toBe("SECRET_NOT_FOUND");
    expect((error as MissingSecretError).message).toBe(
      "secret `X` is not set (used in environment variable `P` of service `db`)",
    );
  });
});
