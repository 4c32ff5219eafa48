import { existsSync, statSync } from "node:fs";
import { userInfo } from "node:os";
import path from "node:path";
import type { Command } from "commander";
import { LINK_FILE, readLink } from "../../client/config.js";
import {
  type CiEvent,
  EVENT_TYPES,
  type EventType,
  findRepositoryRoot,
  type LoadedConfig,
  loadRepositoryConfigs,
  readConfigFile,
  templateData,
} from "../../config/index.js";
import { type SecretSource, secretSource } from "../../runner/secrets.js";
import { bookmarkNameProblem } from "../../store/names.js";
import { UsageError } from "../../util/errors.js";

/**
 * DEFAULT_REV is the bookmark a local event is for when `--rev` is missing:
 * `main`, the bookmark most configs watch and the one a user tries first.
 */
export const DEFAULT_REV = "main";

/** LocalEventFlags are the options `pogo ci test` and `pogo ci render` share. */
export interface LocalEventFlags {
  eventType: string;
  rev: string;
  archiveUrl?: string;
  secret: string[];
  now?: string;
}

/** Adds the event, secret and clock options shared by `ci test` and `ci render`. */
export function withLocalEventOptions(command: Command): Command {
  return command
    .option("--event-type <type>", `event to simulate: ${EVENT_TYPES.join(" or ")}`, "push")
    .option(
      "--rev <bookmark>",
      "bookmark the event is for, matched against `bookmarks`",
      DEFAULT_REV,
    )
    .option(
      "--archive-url <url>",
      "value of {{.ArchiveUrl}} (default: the server's archive URL of --rev when the directory is linked with `pogo init`, else empty)",
    )
    .option(
      "--secret <NAME=VALUE>",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the help names the ${NAME} syntax.
      "secret for ${NAME} and `secret`; repeatable, wins over an environment variable of the same name",
      collect,
      [],
    )
    .option(
      "--now <time>",
      "fix the clock of `now` to an RFC 3339 time such as 2026-01-02T15:04:05Z",
    );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** LocalRepository is where a local run finds its configs and its workspace. */
export interface LocalRepository {
  /** The nearest folder upward with `.pogo`, mounted at `/workspace`; undefined outside a repository. */
  root?: string;
  configs: LoadedConfig[];
}

/**
 * Loads the configs of a local run: FILE alone when given, otherwise every
 * `.pogo/ci/*.{yaml,yml}` of the repository around `cwd`.
 */
export function loadLocalConfigs(file: string | undefined, cwd: string): LocalRepository {
  if (file !== undefined) {
    const absolute = path.resolve(cwd, file);
    let isFile: boolean;
    try {
      isFile = statSync(absolute).isFile();
    } catch {
      throw new UsageError(`file not found: ${file}`);
    }
    if (!isFile) throw new UsageError(`not a file: ${file}; pass one config file, or none`);
    const root = findRepositoryRoot(cwd) ?? findRepositoryRoot(path.dirname(absolute));
    return { root, configs: [readConfigFile(file, absolute)] };
  }

  const root = findRepositoryRoot(cwd);
  if (root === undefined) {
    throw new UsageError(
      `no repository found: neither ${cwd} nor a parent folder contains .pogo; run in a repository or pass a config file`,
    );
  }
  return { root, configs: loadRepositoryConfigs(root) };
}

/**
 * Builds the event of a local run from the flags. Template data comes from
 * the repository link (`pogo init`) when there is one: the repository name,
 * the server URL and the archive URL of the bookmark on that server.
 */
export async function localEvent(
  flags: LocalEventFlags,
  root: string | undefined,
): Promise<CiEvent> {
  if (!(EVENT_TYPES as readonly string[]).includes(flags.eventType)) {
    throw new UsageError(
      `invalid --event-type ${JSON.stringify(flags.eventType)}: use ${EVENT_TYPES.join(" or ")}`,
    );
  }
  const revProblem = bookmarkNameProblem(flags.rev);
  if (revProblem) {
    throw new UsageError(`invalid --rev ${JSON.stringify(flags.rev)}: ${revProblem}`);
  }
  const type = flags.eventType as EventType;

  let repository = root ? path.basename(root) : "";
  let serverUrl = "";
  let archiveUrl = flags.archiveUrl ?? "";
  if (root && existsSync(path.join(root, LINK_FILE))) {
    const link = await readLink(root);
    repository = link.repository;
    serverUrl = link.server;
    if (flags.archiveUrl === undefined) {
      archiveUrl = `${link.server}/repository/${encodeURIComponent(link.repository)}/archive/${encodeURIComponent(flags.rev)}`;
    }
  }

  return {
    type,
    bookmark: flags.rev,
    data: templateData({
      Rev: flags.rev,
      ArchiveUrl: archiveUrl,
      Author: localUser(),
      Repository: repository,
      ServerUrl: serverUrl,
      RevisionId: "local",
      EventType: type,
    }),
  };
}

function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? "";
  }
}

/**
 * Builds the secrets of a local run: the environment, overridden by each
 * `--secret NAME=VALUE`.
 */
export function localSecrets(flags: LocalEventFlags, env: NodeJS.ProcessEnv): SecretSource {
  const fromFlags: Record<string, string> = {};
  for (const pair of flags.secret) {
    const split = pair.indexOf("=");
    const name = split < 0 ? pair : pair.slice(0, split);
    if (split < 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      // The value is left out of the message: it may be the secret itself.
      throw new UsageError(
        `invalid --secret ${split < 0 ? "argument" : JSON.stringify(name)}: use NAME=VALUE, with NAME made of letters, digits and _`,
      );
    }
    fromFlags[name] = pair.slice(split + 1);
  }
  return secretSource(env, fromFlags);
}

/** Parses `--now`, an RFC 3339 time, into a fixed clock; no flag means the real clock. */
export function localClock(now: string | undefined): (() => Date) | undefined {
  if (now === undefined) return undefined;
  const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
  const time = new Date(now);
  if (!rfc3339.test(now) || Number.isNaN(time.getTime())) {
    throw new UsageError(
      `invalid --now ${JSON.stringify(now)}: use an RFC 3339 time such as 2026-01-02T15:04:05Z`,
    );
  }
  return () => new Date(time.getTime());
}

/** Reports whether a stream gets colour: only a terminal, and never with NO_COLOR set. */
export function useColour(
  stream: NodeJS.WriteStream,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  return stream.isTTY === true && env.NO_COLOR === undefined;
}
