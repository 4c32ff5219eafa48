import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { PogoError, UsageError } from "../util/errors.js";

/**
 * UserConfig is the per-user client config, kept outside every repository
 * so tokens are never pushed: `$POGO_CONFIG`, else
 * `$XDG_CONFIG_HOME/pogo/config.json`, else `~/.config/pogo/config.json`.
 */
export interface UserConfig {
  /** The server used when neither `--server`, POGO_SERVER nor a repository link names one. */
  server?: string;
  /** The author recorded on pushed revisions, such as `Ada Lovelace <ada@example.com>`. */
  author?: string;
  /** Tokens by server URL. */
  tokens?: Record<string, string>;
}

/** RepositoryLink ties a working directory to a repository on a server; it contains no token. */
export interface RepositoryLink {
  server: string;
  repository: string;
}

/** The link file, relative to the root of a working tree; `pogo push` never uploads it. */
export const LINK_FILE = ".pogo/repository.json";

export function userConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.POGO_CONFIG) return resolve(env.POGO_CONFIG);
  const base = env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(base, "pogo", "config.json");
}

export async function readUserConfig(env: NodeJS.ProcessEnv = process.env): Promise<UserConfig> {
  const path = userConfigPath(env);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw new Error("not an object");
    return parsed as UserConfig;
  } catch (error) {
    throw new PogoError(
      "INVALID_CONFIG",
      `${path}: invalid JSON (${(error as Error).message}); fix or delete it`,
    );
  }
}

/** Writes the user config with mode 0600, because it contains tokens. */
export async function writeUserConfig(
  config: UserConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const path = userConfigPath(env);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
  return path;
}

/** Finds the working tree containing `start`: the nearest directory with a link file. */
export function findWorkingTree(start: string): string | undefined {
  let directory = resolve(start);
  for (;;) {
    if (existsSync(join(directory, LINK_FILE))) return directory;
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

export async function readLink(root: string): Promise<RepositoryLink> {
  const path = join(root, LINK_FILE);
  let parsed: Partial<RepositoryLink>;
  try {
    parsed = JSON.parse(await readFile(path, "utf8")) as Partial<RepositoryLink>;
  } catch (error) {
    throw new PogoError(
      "INVALID_LINK",
      `${path}: cannot read it (${(error as Error).message}); run \`pogo init\` again`,
    );
  }
  if (typeof parsed.server !== "string" || typeof parsed.repository !== "string") {
    throw new PogoError(
      "INVALID_LINK",
      `${path}: \`server\` and \`repository\` must be strings; run \`pogo init\` again`,
    );
  }
  return { server: parsed.server, repository: parsed.repository };
}

export async function writeLink(root: string, link: RepositoryLink): Promise<string> {
  const path = join(root, LINK_FILE);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(link, null, 2)}\n`);
  return path;
}

/** ConnectionFlags are the command-line overrides every client command accepts. */
export interface ConnectionFlags {
  server?: string;
  token?: string;
}

/** Connection is the server, token and (inside a working tree) repository a command talks to. */
export interface Connection {
  server: string;
  token: string | undefined;
  config: UserConfig;
  root?: string;
  link?: RepositoryLink;
}

/**
 * Resolves the server and token: flags first, then POGO_SERVER and
 * POGO_TOKEN, then the working tree's link (server only), then the user
 * config.
 */
export async function resolveConnection(
  flags: ConnectionFlags,
  options: { cwd?: string; env?: NodeJS.ProcessEnv; needsLink?: boolean } = {},
): Promise<Connection> {
  const env = options.env ?? process.env;
  const config = await readUserConfig(env);
  const root = findWorkingTree(options.cwd ?? process.cwd());
  const link = root ? await readLink(root) : undefined;
  if (options.needsLink && !link) {
    throw new UsageError(`no ${LINK_FILE} here or in a parent directory; run \`pogo init\` first`);
  }
  const server = flags.server || env.POGO_SERVER || link?.server || config.server;
  if (!server) {
    throw new UsageError(
      "no server given: pass --server URL, set POGO_SERVER, or run `pogo init --server URL`",
    );
  }
  checkServerUrl(server);
  const token = flags.token || env.POGO_TOKEN || config.tokens?.[normaliseServer(server)];
  return { server: normaliseServer(server), token, config, root, link };
}

export function checkServerUrl(server: string): void {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new UsageError(`invalid server URL ${JSON.stringify(server)}: expected http://HOST:PORT`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`invalid server URL ${JSON.stringify(server)}: use http:// or https://`);
  }
}

export function normaliseServer(server: string): string {
  return server.replace(/\/+$/, "");
}
