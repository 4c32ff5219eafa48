import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { locateDockerfile, scanBuildContext } from "./build-context.js";
import { DockerfilePathError } from "./errors.js";

let repository: string;

beforeEach(async () => {
  repository = await mkdtemp(join(tmpdir(), "pogo-context-test-"));
  await mkdir(join(repository, "docker"));
  await writeFile(join(repository, "Dockerfile"), "FROM scratch\n");
  await writeFile(join(repository, "docker", "ci.Dockerfile"), "FROM scratch\n");
  await writeFile(join(repository, "app.js"), "console.log(1)\n");
});

afterEach(async () => {
  await rm(repository, { recursive: true, force: true });
});

describe("locateDockerfile", () => {
  it.each([
    ["./Dockerfile", "Dockerfile"],
    ["./docker/ci.Dockerfile", "docker/ci.Dockerfile"],
    ["/docker/ci.Dockerfile", "docker/ci.Dockerfile"],
    ["./docker/../Dockerfile", "Dockerfile"],
  ])("resolves %s", async (image, dockerfile) => {
    expect((await locateDockerfile(image, repository)).dockerfile).toBe(dockerfile);
  });

  it.each(["../Dockerfile", "./docker/../../Dockerfile", "/../etc/passwd"])(
    "rejects %s",
    async (image) => {
      await expect(locateDockerfile(image, repository)).rejects.toThrow(/leaves the repository/);
    },
  );

  it("rejects a symlink out of the repository", async () => {
    const outside = await mkdtemp(join(tmpdir(), "pogo-outside-"));
    await writeFile(join(outside, "Dockerfile"), "FROM scratch\n");
    await symlink(join(outside, "Dockerfile"), join(repository, "linked"));
    try {
      await expect(locateDockerfile("./linked", repository)).rejects.toThrow(/symbolic link/);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it("rejects a missing Dockerfile", async () => {
    await expect(locateDockerfile("./nope/Dockerfile", repository)).rejects.toThrow(
      DockerfilePathError,
    );
  });

  it("rejects a directory", async () => {
    await expect(locateDockerfile("./docker", repository)).rejects.toThrow(/is not a file/);
  });
});

describe("scanBuildContext", () => {
  const scan = async (image = "./Dockerfile") =>
    scanBuildContext(await locateDockerfile(image, repository));

  it("lists entries in order", async () => {
    expect((await scan()).entries).toEqual([
      "Dockerfile",
      "app.js",
      "docker",
      "docker/ci.Dockerfile",
    ]);
  });

  it("hashes the same content the same", async () => {
    expect((await scan()).hash).toBe((await scan()).hash);
  });

  it("changes the hash with content", async () => {
    const before = (await scan()).hash;
    await writeFile(join(repository, "app.js"), "console.log(2)\n");
    expect((await scan()).hash).not.toBe(before);
  });

  it("changes the hash with the executable bit", async () => {
    const before = (await scan()).hash;
    await chmod(join(repository, "app.js"), 0o755);
    expect((await scan()).hash).not.toBe(before);
  });

  it("changes the hash with the Dockerfile path", async () => {
    expect((await scan("./Dockerfile")).hash).not.toBe((await scan("./docker/ci.Dockerfile")).hash);
  });

  it("honours .dockerignore", async () => {
    await writeFile(join(repository, ".dockerignore"), "app.js\ndocker\n");
    const before = await scan();
    expect(before.entries).toEqual([".dockerignore", "Dockerfile"]);
    await writeFile(join(repository, "app.js"), "ignored change\n");
    expect((await scan()).hash).toBe(before.hash);
  });

  it("always sends the Dockerfile", async () => {
    await writeFile(join(repository, ".dockerignore"), "docker\n");
    expect((await scan("./docker/ci.Dockerfile")).entries).toContain("docker/ci.Dockerfile");
  });
});
