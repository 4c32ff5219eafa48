import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DockerCliStrategy,
  DockerHostStrategy,
  detectEngine,
  engineKind,
  PodmanSocketStrategy,
} from "./detect.js";
import { EngineUnavailableError } from "./errors.js";

/** A fake engine on a unix socket that replies to `GET /version` only. */
let server: Server;
let dir: string;
let socket: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pogo-detect-test-"));
  socket = join(dir, "engine.sock");
  server = createServer((request, response) => {
    if (request.url?.endsWith("/version")) {
      response.setHeader("content-type", "application/json");
      response.end(
        JSON.stringify({
          Version: "4.3.1",
          ApiVersion: "1.41",
          Components: [{ Name: "Podman Engine" }],
        }),
      );
    } else {
      response.statusCode = 404;
      response.end("{}");
    }
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe("DockerHostStrategy", () => {
  it("skips when DOCKER_HOST is unset", async () => {
    expect(await new DockerHostStrategy({}).detect()).toBe("DOCKER_HOST is not set");
  });

  it("rejects an unknown scheme", async () => {
    expect(await new DockerHostStrategy({ DOCKER_HOST: "ssh://host" }).detect()).toMatch(
      /unsupported scheme ssh:/,
    );
  });

  it("reports a missing socket", async () => {
    const result = await new DockerHostStrategy({
      DOCKER_HOST: `unix://${dir}/none.sock`,
    }).detect();
    expect(result).toBe(`${dir}/none.sock does not exist`);
  });

  it("reports a file that is no socket", async () => {
    await writeFile(join(dir, "plain"), "");
    const result = await new DockerHostStrategy({ DOCKER_HOST: `unix://${dir}/plain` }).detect();
    expect(result).toBe(`${dir}/plain is not a socket`);
  });

  it("finds a unix socket engine", async () => {
    const engine = await new DockerHostStrategy({ DOCKER_HOST: `unix://${socket}` }).detect();
    if (typeof engine === "string") throw new Error(engine);
    expect(engine.info).toMatchObject({
      kind: "podman",
      backend: "api",
      foundBy: "DOCKER_HOST",
      address: `unix://${socket}`,
      version: "4.3.1",
      local: true,
    });
    expect(engine.describe()).toBe(
      `Podman 4.3.1 (API 1.41) at unix://${socket}, found via DOCKER_HOST`,
    );
  });

  it("reports a tcp engine that is down", async () => {
    // Port 9 on loopback is closed here, so the probe fails at once without leaving the machine.
    const result = await new DockerHostStrategy({ DOCKER_HOST: "tcp://127.0.0.1:9" }).detect();
    expect(result).toMatch(/^tcp:\/\/127\.0\.0\.1:9 did not respond/);
  });
});

describe("PodmanSocketStrategy", () => {
  it("needs XDG_RUNTIME_DIR when rootless", async () => {
    expect(await new PodmanSocketStrategy("rootless", {}).detect()).toBe(
      "XDG_RUNTIME_DIR is not set",
    );
  });

  it("looks under XDG_RUNTIME_DIR", async () => {
    const result = await new PodmanSocketStrategy("rootless", { XDG_RUNTIME_DIR: dir }).detect();
    expect(result).toBe(`${join(dir, "podman", "podman.sock")} does not exist`);
  });
});

describe("DockerCliStrategy", () => {
  it("reports a missing command", async () => {
    expect(await new DockerCliStrategy("pogo-no-such-docker").detect()).toBe(
      "pogo-no-such-docker is not on PATH",
    );
  });
});

describe("detectEngine", () => {
  it("takes the first strategy that finds an engine", async () => {
    const engine = await detectEngine([
      new DockerHostStrategy({}),
      new DockerHostStrategy({ DOCKER_HOST: `unix://${socket}` }),
    ]);
    expect(engine.info.address).toBe(`unix://${socket}`);
  });

  it("lists every attempt and the troubleshooting steps", async () => {
    const detection = detectEngine([
      new DockerHostStrategy({}),
      new DockerCliStrategy("pogo-no-such-docker"),
    ]);
    await expect(detection).rejects.toThrow(EngineUnavailableError);
    await expect(detection).rejects.toThrow(
      /tried DOCKER_HOST: DOCKER_HOST is not set; the docker CLI: pogo-no-such-docker is not on PATH/,
    );
    await expect(detection).rejects.toThrow(/`docker version`.*`ls -la \/var\/run\/docker.sock`/);
  });
});

describe("engineKind", () => {
  it("tells Podman from Docker", () => {
    expect(engineKind({ Components: [{ Name: "Engine" }] })).toBe("docker");
    expect(engineKind({ Components: [{ Name: "Podman Engine" }] })).toBe("podman");
    expect(engineKind({})).toBe("docker");
  });
});
