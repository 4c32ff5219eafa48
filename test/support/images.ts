import { execFile, spawn } from "node:child_process";
import {
  copyFile,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  rmdir,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

/**
 * Local stand-in images for tests. No registry is reachable, so every image
 * is made here: a root file system holding Debian's static busybox
 * (/bin/busybox from busybox-static) is imported with `docker import`, and
 * images that need a HEALTHCHECK are built `FROM` it. Building is
 * idempotent and safe when several test processes call it at once: a lock
 * directory serialises them and each image is made only when its tag is
 * missing. The tags carry a recipe version; bump it when a recipe changes.
 */

const run = promisify(execFile);

/** A shell with the busybox applets; the default command is `sh`. */
export const BUSYBOX_IMAGE = "pogo-test/busybox:1";
/** An HTTP server on port 80 that serves `$GREETING` (default "hello from httpd") at `/`. */
export const HTTPD_IMAGE = "pogo-test/httpd:1";
/** HTTPD_IMAGE with a healthcheck that passes only once the server responds, about a second after start. */
export const HEALTHCHECK_HTTPD_IMAGE = "pogo-test/httpd-healthcheck:1";

/** A service that exits with code 3 about 0.3 s after start, before its healthcheck can pass. */
export const EXITING_IMAGE = "pogo-test/exits:1";

const BUSYBOX_BINARY = "/bin/busybox";
const LOCK_DIR = join(tmpdir(), "pogo-test-images.lock");
const LOCK_STALE_MS = 120_000;

let ensured: Promise<void> | undefined;

/** Makes every test image that is missing; concurrent callers in one process share the work. */
export function ensureTestImages(): Promise<void> {
  ensured ??= withLock(buildMissingImages).catch((error: unknown) => {
    ensured = undefined;
    throw error;
  });
  return ensured;
}

async function buildMissingImages(): Promise<void> {
  if (!(await imageExists(BUSYBOX_IMAGE))) await importBusybox(BUSYBOX_IMAGE, ['CMD ["sh"]']);
  if (!(await imageExists(HTTPD_IMAGE))) {
    await importBusybox(HTTPD_IMAGE, [
      "EXPOSE 80",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion inside the container.
      'CMD ["sh", "-c", "mkdir -p /www && echo \\"${GREETING:-hello from httpd}\\" > /www/index.html && exec httpd -f -v -p 80 -h /www"]',
    ]);
  }
  if (!(await imageExists(HEALTHCHECK_HTTPD_IMAGE))) {
    await buildFrom(HEALTHCHECK_HTTPD_IMAGE, [
      `FROM ${BUSYBOX_IMAGE}`,
      "HEALTHCHECK --interval=200ms --timeout=2s --retries=50 CMD wget -q -O /dev/null http://127.0.0.1/ || exit 1",
      'CMD ["sh", "-c", "sleep 1; mkdir -p /www && echo ready > /www/index.html && exec httpd -f -v -p 80 -h /www"]',
    ]);
  }
  if (!(await imageExists(EXITING_IMAGE))) {
    await buildFrom(EXITING_IMAGE, [
      `FROM ${BUSYBOX_IMAGE}`,
      "HEALTHCHECK --interval=5s CMD true",
      'CMD ["sh", "-c", "sleep 0.3; exit 3"]',
    ]);
  }
}

async function imageExists(reference: string): Promise<boolean> {
  try {
    await run("docker", ["image", "inspect", "--format", "{{.Id}}", reference]);
    return true;
  } catch {
    return false;
  }
}

/** Imports a root file system of busybox and its applet links as `tag`, with Dockerfile `changes`. */
async function importBusybox(tag: string, changes: string[]): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), "pogo-test-rootfs-"));
  try {
    await mkdir(join(root, "bin"));
    await copyFile(BUSYBOX_BINARY, join(root, "bin", "busybox"));
    const { stdout } = await run(BUSYBOX_BINARY, ["--list"]);
    for (const applet of stdout.split("\n").filter((name) => name !== "" && name !== "busybox")) {
      await symlink("busybox", join(root, "bin", applet));
    }
    for (const dir of ["tmp", "etc", "root", "www"]) await mkdir(join(root, dir));
    await writeFile(
      join(root, "etc", "passwd"),
      "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n",
    );
    await writeFile(join(root, "etc", "group"), "root:x:0:\nnogroup:x:65534:\n");
    const changeArgs = changes.flatMap((change) => ["--change", change]);
    await pipeTarInto(root, ["import", ...changeArgs, "-", tag]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Builds `tag` from a Dockerfile with an empty context. */
async function buildFrom(tag: string, dockerfile: string[]): Promise<void> {
  const context = await mkdtemp(join(tmpdir(), "pogo-test-context-"));
  try {
    await writeFile(join(context, "Dockerfile"), `${dockerfile.join("\n")}\n`);
    await run("docker", ["build", "--quiet", "--tag", tag, context]);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

function pipeTarInto(dir: string, dockerArgs: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const tar = spawn("tar", ["-c", "-C", dir, "."], { stdio: ["ignore", "pipe", "inherit"] });
    const docker = spawn("docker", dockerArgs, { stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    docker.stderr.setEncoding("utf8").on("data", (text: string) => {
      stderr += text;
    });
    tar.stdout.pipe(docker.stdin);
    tar.once("error", reject);
    docker.once("error", reject);
    docker.once("close", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`docker ${dockerArgs[0]} failed: ${stderr.trim()}`));
    });
  });
}

/**
 * Runs `work` while holding a lock directory shared by every test process
 * on this machine. A lock older than LOCK_STALE_MS, or one held by a dead
 * process, is taken over.
 */
async function withLock<T>(work: () => Promise<T>): Promise<T> {
  const owner = join(LOCK_DIR, "pid");
  while (true) {
    try {
      await mkdir(LOCK_DIR);
      await writeFile(owner, String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (await isStale(owner)) {
        await rm(LOCK_DIR, { recursive: true, force: true });
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await work();
  } finally {
    await rm(owner, { force: true });
    await rmdir(LOCK_DIR).catch(() => {});
  }
}

async function isStale(ownerFile: string): Promise<boolean> {
  let pid: number;
  try {
    pid = Number(await readFile(ownerFile, "utf8"));
  } catch {
    // The holder has made the directory but not yet written its pid; give it time unless it is old.
    const { stat } = await import("node:fs/promises");
    const info = await stat(LOCK_DIR).catch(() => undefined);
    return info !== undefined && Date.now() - info.mtimeMs > LOCK_STALE_MS;
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}
