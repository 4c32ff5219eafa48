import { describe, expect, it } from "vitest";
import { templateData } from "../config/event.js";
import { toCreateBody } from "./api/index.js";
import { toCreateArgs } from "./cli/index.js";
import {
  commandScript,
  DEFAULT_LIMITS,
  isDockerfileReference,
  parseStepMarker,
  shellQuote,
  stepMarker,
  taskEnvironment,
  toMainContainerSettings,
  toServiceContainerSettings,
} from "./convert.js";

const data = templateData({ Rev: "main", Repository: "acme", RevisionId: "r1", EventType: "push" });

describe("taskEnvironment", () => {
  it("sets CI and POGO variables", () => {
    expect(Object.fromEntries(taskEnvironment(undefined, data))).toEqual({
      CI: "true",
      POGO_REV: "main",
      POGO_REPOSITORY: "acme",
      POGO_REVISION: "r1",
      POGO_EVENT: "push",
    });
  });

  it("lets task environment override", () => {
    const env = Object.fromEntries(
      taskEnvironment({ CI: "false", POGO_REV: "x", NODE_ENV: "test" }, data),
    );
    expect(env.CI).toBe("false");
    expect(env.POGO_REV).toBe("x");
    expect(env.NODE_ENV).toBe("test");
  });

  it("writes numbers as text", () => {
    const env = Object.fromEntries(taskEnvironment({ PORT: 3306 as unknown as string }, data));
    expect(env.PORT).toBe("3306");
  });
});

describe("commandScript", () => {
  it("runs each command through sh -c after its marker", () => {
    const script = commandScript(["npm ci", "echo 'quoted'"], "n1");
    expect(script.split("\n")).toEqual([
      `printf '%s\\n' '::pogo-step-n1::0'`,
      `sh -c 'npm ci' || exit $?`,
      `printf '%s\\n' '::pogo-step-n1::1'`,
      `sh -c 'echo '\\''quoted'\\''' || exit $?`,
    ]);
  });

  it("round-trips step markers", () => {
    expect(parseStepMarker(stepMarker("abc", 7), "abc")).toBe(7);
    expect(parseStepMarker(stepMarker("abc", 7), "other")).toBeUndefined();
    expect(parseStepMarker("plain output", "abc")).toBeUndefined();
  });

  it("quotes shell words", () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});

describe("toMainContainerSettings", () => {
  const base = {
    data,
    name: "pogo-x-main",
    image: "busybox",
    labels: { "dev.pogo.run": "run1" },
    limits: DEFAULT_LIMITS,
    nonce: "n",
  };

  it("defaults working_dir to /workspace", () => {
    const settings = toMainContainerSettings({
      ...base,
      spec: { image: "busybox", commands: ["true"] },
    });
    expect(settings.workingDir).toBe("/workspace");
    expect(settings.entrypoint).toEqual(["sh", "-c"]);
  });

  it("keeps the image entrypoint without commands", () => {
    const settings = toMainContainerSettings({ ...base, spec: { image: "busybox" } });
    expect(settings.entrypoint).toBeUndefined();
    expect(settings.cmd).toBeUndefined();
  });

  it("mounts only the workspace", () => {
    const settings = toMainContainerSettings({
      ...base,
      spec: { image: "busybox", working_dir: "/src" },
      workspace: { source: "vol", target: "/workspace" },
      network: "net",
    });
    expect(settings.workingDir).toBe("/src");
    expect(settings.mounts).toEqual([{ source: "vol", target: "/workspace" }]);
    expect(settings.network).toEqual({ name: "net", aliases: [] });
  });

  it("drops disabled limits", () => {
    const settings = toMainContainerSettings({
      ...base,
      spec: { image: "busybox" },
      limits: { memoryBytes: 0, pidsLimit: 0 },
    });
    expect(settings.memoryBytes).toBeUndefined();
    expect(settings.pidsLimit).toBeUndefined();
  });
});

describe("toServiceContainerSettings", () => {
  it("answers to its name on the task network", () => {
    const settings = toServiceContainerSettings({
      service: { name: "postgres", image: "postgres:16", environment: { POSTGRES_DB: "t" } },
      name: "pogo-x-postgres",
      image: "postgres:16",
      labels: {},
      limits: DEFAULT_LIMITS,
      network: "pogo-x",
    });
    expect(settings.network).toEqual({ name: "pogo-x", aliases: ["postgres"] });
    expect(settings.env).toEqual([["POSTGRES_DB", "t"]]);
    expect(settings.entrypoint).toBeUndefined();
    expect(settings.memoryBytes).toBe(DEFAULT_LIMITS.memoryBytes);
  });
});

describe("backend translation", () => {
  const settings = toMainContainerSettings({
    spec: { image: "busybox", commands: ["make test"], environment: { A: "1" } },
    data,
    name: "pogo-x-main",
    image: "busybox",
    labels: { "dev.pogo.run": "run1" },
    limits: { memoryBytes: 1024, pidsLimit: 64 },
    nonce: "n",
    network: "pogo-x",
    workspace: { source: "pogo-x-workspace", target: "/workspace" },
  });

  it("API body is never privileged or on the host network", () => {
    const body = toCreateBody(settings);
    expect(body.HostConfig?.Privileged).toBe(false);
    expect(body.HostConfig?.NetworkMode).toBe("pogo-x");
    expect(body.HostConfig?.Binds).toBeUndefined();
    expect(body.HostConfig?.Mounts).toEqual([
      { Type: "volume", Source: "pogo-x-workspace", Target: "/workspace", ReadOnly: false },
    ]);
    expect(body.HostConfig?.Memory).toBe(1024);
    expect(body.HostConfig?.PidsLimit).toBe(64);
    expect(body.Env).toContain("A=1");
    expect(body.Labels).toEqual({ "dev.pogo.run": "run1" });
  });

  it("API body defaults to the bridge network", () => {
    const body = toCreateBody({ ...settings, network: undefined });
    expect(body.HostConfig?.NetworkMode).toBe("bridge");
    expect(body.NetworkingConfig).toBeUndefined();
  });

  it("CLI arguments split the entrypoint", () => {
    const args = toCreateArgs(settings);
    expect(args.slice(0, 3)).toEqual(["create", "--name", "pogo-x-main"]);
    const image = args.indexOf("busybox");
    expect(args.slice(image - 2, image + 2)).toEqual(["--entrypoint", "sh", "busybox", "-c"]);
    expect(args).toContain("--pids-limit");
    expect(args).toContain("type=volume,source=pogo-x-workspace,target=/workspace");
    expect(args).not.toContain("--privileged");
    expect(args).not.toContain("host");
  });
});

describe("isDockerfileReference", () => {
  it.each([
    ["./Dockerfile", true],
    ["../ci/Dockerfile", true],
    ["/docker/ci.Dockerfile", true],
    ["node:20-alpine", false],
    ["registry.local:5000/app", false],
  ])("%s is %s", (image, expected) => {
    expect(isDockerfileReference(image)).toBe(expected);
  });
});
