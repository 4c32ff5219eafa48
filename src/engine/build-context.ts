import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, readdir, readFile, readlink, realpath, stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import dockerignore from "@balena/dockerignore";
import { DockerfilePathError } from "./errors.js";

/** DockerfileLocation is a Dockerfile path checked to lie inside the repository. */
export interface DockerfileLocation {
  /** The repository root, the build context. */
  contextDir: string;
  /** Path of the Dockerfile inside the context, with `/` separators. */
  dockerfile: string;
}

/**
 * Resolves an `image:` Dockerfile path against the repository root. `./x`
 * and `../x` are relative to the root, and `/x` means `x` in the root. The
 * path must stay inside the repository after symlinks are followed.
 */
export async function locateDockerfile(
  image: string,
  repositoryDir: string,
): Promise<DockerfileLocation> {
  const root = await realpath(repositoryDir);
  const lexical = resolve(root, image.replace(/^\/+/, ""));
  if (!isInside(root, lexical)) {
    throw new DockerfilePathError(
      `Dockerfile path ${image} leaves the repository; use a path inside it, such as ./Dockerfile.`,
    );
  }
  let real: string;
  try {
    real = await realpath(lexical);
  } catch {
    throw new DockerfilePathError(`Dockerfile ${image} not found in the repository.`);
  }
  if (!isInside(root, real)) {
    throw new DockerfilePathError(
      `Dockerfile path ${image} leads outside the repository through a symbolic link.`,
    );
  }
  if (!(await stat(real)).isFile()) {
    throw new DockerfilePathError(`Dockerfile path ${image} is not a file.`);
  }
  return { contextDir: root, dockerfile: relative(root, real).split(sep).join("/") };
}

/** BuildContext lists what a build sends, and the hash that identifies that content. */
export interface BuildContext {
  /** Context-relative paths of directories, files and links, sorted, for `tar --no-recursion`. */
  entries: string[];
  hash: string;
}

/**
 * Lists the build context, honouring `.dockerignore` as Docker does, and
 * hashes the Dockerfile path, every entry's path, type, executable bit and
 * content (a link's target). Two contexts with the same hash build the same
 * image, so the hash names the cached image.
 */
export async function scanBuildContext(location: DockerfileLocation): Promise<BuildContext> {
  const ignoreFile = await readFile(join(location.contextDir, ".dockerignore"), "utf8").catch(
    () => "",
  );
  const ignored = createIgnore({ ignorecase: false }).add(ignoreFile);
  // Docker always sends the Dockerfile and .dockerignore, even when .dockerignore lists them.
  const alwaysSent = new Set([location.dockerfile, ".dockerignore"]);

  // An ignored directory is skipped whole unless a `!` pattern or an always-sent file may re-include part of it.
  const hasExceptions = ignoreFile.split("\n").some((line) => line.trim().startsWith("!"));
  const mayContainSent = (dir: string) =>
    hasExceptions || [...alwaysSent].some((sent) => sent.startsWith(`${dir}/`));

  const entries: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const children = await readdir(join(location.contextDir, dir), { withFileTypes: true });
    // Code-unit order, not locale order, so the hash is the same on every machine.
    children.sort((a, b) => Number(a.name > b.name) - Number(a.name < b.name));
    for (const child of children) {
      const path = dir === "" ? child.name : `${dir}/${child.name}`;
      const sent = !ignored.ignores(path) || alwaysSent.has(path);
      if (sent) entries.push(path);
      if (child.isDirectory() && (sent || mayContainSent(path))) await walk(path);
    }
  };
  await walk("");

  const hash = createHash("sha256");
  hash.update(`dockerfile\0${location.dockerfile}\0`);
  for (const path of entries) {
    const full = join(location.contextDir, path);
    const info = await lstat(full);
    if (info.isSymbolicLink()) {
      hash.update(`link\0${path}\0${await readlink(full)}\0`);
    } else if (info.isDirectory()) {
      hash.update(`dir\0${path}\0`);
    } else if (info.isFile()) {
      hash.update(`file\0${path}\0${info.mode & 0o111 ? "x" : "-"}\0${info.size}\0`);
      await hashFile(hash, full);
    }
  }
  return { entries, hash: hash.digest("hex") };
}

function hashFile(hash: ReturnType<typeof createHash>, path: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .once("end", () => resolvePromise())
      .once("error", reject);
  });
}

// The package's typings declare an ES default export, but at run time the CommonJS module is the function itself.
const createIgnore = dockerignore as unknown as typeof dockerignore.default;

function isInside(root: string, path: string): boolean {
  const inside = relative(root, path);
  return inside !== "" && !inside.startsWith("..") && !isAbsolute(inside);
}
