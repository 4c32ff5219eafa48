import { createReadStream } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { locateDockerfile, scanBuildContext } from "./build-context.js";
import { DockerfilePathError } from "./errors.js";

let repository: string;
let cacheDir: string;

beforeEach(async () => {
  repository = await mkdtemp(join(tmpdir(), "pogo-context-test-"));
  cacheDir = await mkdtemp(join(tmpdir(), "pogo-context-cache-"));
  await mkdir(join(repository, "docker"));
  await writeFile(join(repository, "Dockerfile"), "FROM scratch\n");
  await writeFile(join(repository, "docker", "ci.Dockerfile"), "FROM scratch\n");
  await writeFile(join(repository, "app.js"), "console.log(1)\n");
});

afterEach(async () => {
  await rm(repository, { recursive: true, force: true });
  await rm(cacheDir, { recursive: true, force: true });
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
    scanBuildContext(await locateDockerfile(image, repository), { cacheDir });

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

  describe("hash cache", () => {
    // Files older than the racy window, as in a checkout that was not just written.
    const ageFiles = async (paths: string[]) => {
      const past = new Date(Date.now() - 3_600_000);
      for (const path of paths) await utimes(join(repository, path), past, past);
    };
    const countingScan = async () => {
      const reads: string[] = [];
      const context = await scanBuildContext(await locateDockerfile("./Dockerfile", repository), {
        cacheDir,
        openFile: (path) => {
          reads.push(path);
          return createReadStream(path);
        },
      });
      return { context, reads };
    };

    it("skips reading unchanged files", async () => {
      await mkdir(join(repository, "src"));
      const paths = ["Dockerfile", "app.js", "docker/ci.Dockerfile"];
      for (let index = 0; index < 2_000; index++) {
        const path = `src/file-${index}.js`;
        await writeFile(join(repository, path), `export const n = ${index};\n`);
        paths.push(path);
      }
      await ageFiles(paths);
      const first = await countingScan();
      expect(first.reads).toHaveLength(2_003);
      const second = await countingScan();
      expect(second.reads).toEqual([]);
      expect(second.context.hash).toBe(first.context.hash);

      await writeFile(join(repository, "src/file-7.js"), "export const n = 8;\n");
      const third = await countingScan();
      expect(third.reads).toEqual([join(repository, "src/file-7.js")]);
      expect(third.context.hash).not.toBe(first.context.hash);
    });

    it("matches the uncached hash", async () => {
      await ageFiles(["Dockerfile", "app.js"]);
      await countingScan();
      const cached = await countingScan();
      const uncached = await scanBuildContext(await locateDockerfile("./Dockerfile", repository), {
        cacheDir: null,
      });
      expect(cached.context.hash).toBe(uncached.hash);
    });

    it("rereads a just-written file", async () => {
      await countingScan();
      expect((await countingScan()).reads).toContain(join(repository, "app.js"));
    });

    it("ignores a corrupt cache", async () => {
      await ageFiles(["Dockerfile", "app.js"]);
      const before = (await countingScan()).context.hash;
      const file = join(cacheDir, "build-context-hashes-v1.json");
      expect(JSON.parse(await readFile(file, "utf8")).version).toBe(1);
      await writeFile(file, '{"files": {"x": [');
      const after = await countingScan();
      expect(after.context.hash).toBe(before);
      expect(after.reads.length).toBeGreaterThan(0);
      expect(JSON.parse(await readFile(file, "utf8")).version).toBe(1);
    });
  });
});
