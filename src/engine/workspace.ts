import { spawn } from "node:child_process";
import { isAbsolute, join, relative } from "node:path";
import { Readable } from "node:stream";
import { PogoError } from "../util/errors.js";
import { LABEL } from "./labels.js";
import { engineLog } from "./log.js";
import { workspaceRunRoot } from "./sweep.js";
import type { Teardown } from "./teardown.js";
import type { Engine, Labels, VolumeMount } from "./types.js";

/** WorkspaceError means the repository tree could not be made available at `/workspace`. */
export class WorkspaceError extends PogoError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("WORKSPACE_FAILED", message, options);
  }
}

/**
 * PreparedWorkspace is the repository tree made ready for one container.
 * `overlay`: a volume whose lower layer is the tree itself, read-only, and
 * whose writes land in a per-run upper directory; setup costs the same for
 * any tree size. `upload`: the tree is sent as a tar stream into the created
 * container before it starts; slower, but it works with a remote engine.
 */
export type PreparedWorkspace =
  | { method: "overlay"; mount: VolumeMount }
  | { method: "upload"; upload: (containerId: string) => Promise<void> };

/** Engines on which an overlay volume failed to mount; they get uploads from then on. */
const overlayRefused = new WeakSet<Engine>();

/** Records that `engine` could not mount an overlay volume, so later tasks upload instead. */
export function markOverlayRefused(engine: Engine): void {
  overlayRefused.add(engine);
}

/** Reports whether a container start failed because the overlay workspace volume could not be mounted. */
export function isOverlayMountFailure(error: unknown): boolean {
  const text =
    error instanceof Error ? `${error.message} ${String(error.cause ?? "")}` : String(error);
  return /error while mounting volume|failed to mount local volume|mount.*overlay|overlay.*mount/i.test(
    text,
  );
}

/**
 * Decides whether the overlay fast path can work: the engine must see this
 * host's files, and this process must be root, because the container's
 * root-owned writes in the upper directory must be deletable afterwards.
 * Overlay options are comma- and colon-separated, so paths holding either
 * cannot be passed.
 */
export function canUseOverlay(engine: Engine, treeDir: string): boolean {
  if (overlayRefused.has(engine)) return false;
  if (!engine.info.local || process.platform !== "linux" || process.getuid?.() !== 0) return false;
  const runRoot = workspaceRunRoot();
  if (/[,:\s]/.test(treeDir) || /[,:\s]/.test(runRoot)) return false;
  // The upper directory must not sit inside the tree it overlays.
  const inside = relative(treeDir, runRoot);
  return inside.startsWith("..") || isAbsolute(inside);
}

/** Prepares `/workspace` for a task; registers what it creates with `teardown`. */
export async function prepareWorkspace(input: {
  engine: Engine;
  treeDir: string;
  target: string;
  name: string;
  labels: Labels;
  teardown: Teardown;
  preferUpload?: boolean;
}): Promise<PreparedWorkspace> {
  if (!input.preferUpload && canUseOverlay(input.engine, input.treeDir)) {
    const runDir = join(workspaceRunRoot(), input.name);
    await input.teardown.makeDirectory(runDir, ["upper", "work"]);
    await input.teardown.createVolume({
      name: input.name,
      labels: { ...input.labels, [LABEL.RUN_DIR]: runDir },
      driverOptions: {
        type: "overlay",
        device: "overlay",
        o: `lowerdir=${input.treeDir},upperdir=${join(runDir, "upper")},workdir=${join(runDir, "work")}`,
      },
    });
    engineLog("workspace is an overlay volume", { volume: input.name });
    return { method: "overlay", mount: { source: input.name, target: input.target } };
  }

  return {
    method: "upload",
    upload: async (containerId) => {
      await input.engine.containers.upload(
        containerId,
        "/",
        Readable.from([directoryTar(input.target)]),
      );
      await input.engine.containers.upload(containerId, input.target, tarStream(input.treeDir));
    },
  };
}

/**
 * Streams a tar of `dir` from the system `tar`, which is much faster than
 * packing in JavaScript for trees of tens of thousands of files.
 */
export function tarStream(dir: string, names?: string[]): Readable {
  const args = names
    ? ["-c", "-C", dir, "--no-recursion", "--null", "-T", "-"]
    : ["-c", "-C", dir, "."];
  const child = spawn("tar", args, { stdio: [names ? "pipe" : "ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (text: string) => {
    stderr += text;
  });
  const output = child.stdout!;
  child.once("error", (error) =>
    output.destroy(new WorkspaceError(`Failed to run tar: ${error.message}`, { cause: error })),
  );
  child.once("close", (code) => {
    if (code !== 0)
      output.destroy(
        new WorkspaceError(`tar of ${dir} failed: ${stderr.trim() || `exit code ${code}`}`),
      );
  });
  if (names && child.stdin) {
    child.stdin.on("error", () => {});
    child.stdin.end(names.map((name) => `${name}\0`).join(""));
  }
  return output;
}

/**
 * Returns a tar archive holding one empty directory, so an upload can create
 * the target path even when the image lacks it (POSIX ustar format).
 */
export function directoryTar(path: string): Buffer {
  const name = `${path.replace(/^\/+|\/+$/g, "")}/`;
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, "utf8");
  header.write("0000755\0", 100, "ascii"); // mode
  header.write("0000000\0", 108, "ascii"); // uid
  header.write("0000000\0", 116, "ascii"); // gid
  header.write("00000000000\0", 124, "ascii"); // size
  header.write(
    `${Math.floor(Date.now() / 1000)
      .toString(8)
      .padStart(11, "0")}\0`,
    136,
    "ascii",
  );
  header.write("        ", 148, "ascii"); // checksum placeholder: eight spaces while summing
  header.write("5", 156, "ascii"); // type flag: directory
  header.write("ustar\0", 257, "ascii");
  header.write("00", 263, "ascii");
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  return Buffer.concat([header, Buffer.alloc(1024)]);
}
