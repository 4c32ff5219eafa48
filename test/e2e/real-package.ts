import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The published package whose own test suite the end-to-end tests run. The
 * version is pinned because the broken copy edits one line of its tests.
 */
export const PACKAGE_SPEC = "minimist@1.2.8";

/** The package's test command without its lint, coverage and audit steps, which need the network. */
export const TEST_COMMAND = "node_modules/.bin/tape 'test/**/*.js'";

/** The assertion the broken copy changes: `--bool` parses to `true`, and the copy expects `false`. */
const BROKEN_FILE = "test/long.js";
const BROKEN_FROM = "{ bool: true, _: [] },";
const BROKEN_TO = "{ bool: false, _: [] },";

/** Line the pipeline prints from inside the container before the tests, so a test can tell where they ran. */
export const PROBE_COMMAND = 'echo "e2e-probe cwd=$(pwd) sh=$(readlink /bin/sh) ci=$CI"';

const fixtureDockerfile = new URL("./fixtures/node.Dockerfile", import.meta.url);

function npm(args: string[], cwd: string): string {
  return execFileSync("npm", args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false" },
  });
}

/**
 * Fetches the package tarball into `workDir`, unpacks it to
 * `workDir/package`, and installs its test runner (the `tape` range from its
 * devDependencies) into `package/node_modules`, so the container needs no
 * network. Returns the package directory.
 */
export function fetchPackage(workDir: string): string {
  const tarball = npm(["pack", PACKAGE_SPEC, "--silent", "--pack-destination", workDir], workDir)
    .trim()
    .split("\n")
    .pop()!;
  execFileSync("tar", ["-xzf", join(workDir, tarball), "-C", workDir]);
  const packageDir = join(workDir, "package");

  const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as {
    devDependencies?: Record<string, string>;
  };
  const tapeRange = manifest.devDependencies?.tape;
  if (!tapeRange) throw new Error(`${PACKAGE_SPEC} no longer lists tape in devDependencies`);

  // Installing into the package itself would pull every devDependency (eslint,
  // nyc, ...), so a side folder gets the tree of the test runner alone.
  const depsDir = join(workDir, "deps");
  mkdirSync(depsDir);
  writeFileSync(join(depsDir, "package.json"), '{ "private": true }\n');
  npm(
    [
      "install",
      "--prefix",
      depsDir,
      "--no-package-lock",
      "--ignore-scripts",
      "--no-audit",
      "--prefer-offline",
      `tape@${tapeRange}`,
    ],
    workDir,
  );
  renameSync(join(depsDir, "node_modules"), join(packageDir, "node_modules"));
  return packageDir;
}

/** Options for the pipeline written into the package tree. */
export interface PipelineOptions {
  bookmarks?: string[];
  /**
   * Writes a `.dockerignore` that leaves the whole tree out of the build
   * context (default true). The Dockerfile copies nothing, and without it
   * the image is rebuilt whenever any file changes, because the build cache
   * is keyed by the content of the whole context.
   */
  dockerignore?: boolean;
}

/**
 * Writes the Dockerfile fixture and `.pogo/ci/test.yaml`, a container
 * pipeline that builds `./Dockerfile` and runs the package's tests.
 */
export function writeTestPipeline(packageDir: string, options: PipelineOptions = {}): void {
  cpSync(fixtureDockerfile, join(packageDir, "Dockerfile"));
  if (options.dockerignore ?? true) writeFileSync(join(packageDir, ".dockerignore"), "*\n");
  mkdirSync(join(packageDir, ".pogo", "ci"), { recursive: true });
  const bookmarks = (options.bookmarks ?? ["main"]).map((name) => JSON.stringify(name)).join(", ");
  const yaml = [
    "version: 1",
    "on:",
    "  push:",
    `    bookmarks: [${bookmarks}]`,
    "do:",
    "  - type: container",
    "    container:",
    "      image: ./Dockerfile",
    "      commands:",
    `        - ${JSON.stringify(PROBE_COMMAND)}`,
    `        - ${JSON.stringify(TEST_COMMAND)}`,
    "",
  ].join("\n");
  writeFileSync(join(packageDir, ".pogo", "ci", "test.yaml"), yaml);
}

/** Copies the package tree to `targetDir` with one assertion of its tests inverted. */
export function makeBrokenCopy(packageDir: string, targetDir: string): void {
  copyTree(packageDir, targetDir);
  breakAssertion(targetDir);
}

/**
 * Copies a directory tree as hard links (`cp -al`), keeping modes and
 * symlinks. On the 4,800 files of the package with its test runner it takes
 * 0.9 s where `cp -a` took 11.6 s and fs.cpSync 13.5 s, measured on a 2-core
 * machine under heavy load. Files of the copy share their content with the
 * source, so a change must replace a file, never write into it.
 */
export function copyTree(source: string, target: string): void {
  execFileSync("cp", ["-al", source, target]);
}

/** Inverts one assertion of the package's tests, so tape fails exactly one test. */
export function breakAssertion(packageDir: string): void {
  const file = join(packageDir, BROKEN_FILE);
  const source = readFileSync(file, "utf8");
  if (!source.includes(BROKEN_FROM)) {
    throw new Error(`${BROKEN_FILE} of ${PACKAGE_SPEC} has no line ${BROKEN_FROM}`);
  }
  // A new file, not a write into the old one, which may be a hard link shared with other copies.
  rmSync(file);
  writeFileSync(file, source.replace(BROKEN_FROM, BROKEN_TO));
}

/**
 * Writes `.pogo/ci/release.yaml`, a webhook pipeline for `v*` bookmarks that
 * posts the bookmark and archive URL to `receiverUrl`, with the run's token
 * as a bearer token so the receiver can download a private archive.
 */
export function writeReleaseWebhook(packageDir: string, receiverUrl: string): void {
  mkdirSync(join(packageDir, ".pogo", "ci"), { recursive: true });
  const yaml = [
    "version: 1",
    "on:",
    "  push:",
    '    bookmarks: ["v*"]',
    "do:",
    "  - type: webhook",
    "    webhook:",
    `      url: ${receiverUrl}/release`,
    "      method: POST",
    "      headers:",
    '        Authorization: "Bearer {{.AccessToken}}"',
    "        Content-Type: application/json",
    `      body: '{"rev": "{{.Rev}}", "archive": "{{.ArchiveUrl}}"}'`,
    "",
  ].join("\n");
  writeFileSync(join(packageDir, ".pogo", "ci", "release.yaml"), yaml);
}

/**
 * Writes a `.pogoignore` that pushes `node_modules/`, which `pogo push`
 * leaves out by default, because the container has no network to install it.
 */
export function includeNodeModules(packageDir: string): void {
  writeFileSync(join(packageDir, ".pogoignore"), "!node_modules/\n");
}
