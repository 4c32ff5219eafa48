import type { Command } from "commander";
import { stringify } from "yaml";
import { firstMatchingPattern } from "../../config/index.js";
import { SecretMasker } from "../../runner/masker.js";
import { planConfig, planEvent, templateEnv } from "../../runner/plan.js";
import {
  type LocalEventFlags,
  loadLocalConfigs,
  localClock,
  localEvent,
  localSecrets,
  withLocalEventOptions,
} from "./ci-local.js";
import { type CommandIo, maskStrings } from "./ci-test.js";

/** Adds `pogo ci render [FILE]`. */
export function registerRenderCommand(parent: Command): void {
  const command = parent
    .command("render [file]")
    .description(
      "print configs as YAML with their templates rendered for a bookmark event, secrets masked; without FILE, every config in .pogo/ci the event fires",
    );
  withLocalEventOptions(command).action(
    async (file: string | undefined, flags: LocalEventFlags) => {
      process.exitCode = await renderCommand(file, flags, {
        cwd: process.cwd(),
        env: process.env,
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        colour: false,
      });
    },
  );
}

/**
 * Prints the rendered configs and returns the exit status: 1 when a config
 * failed to load or render, else 0. A FILE given by name is rendered even
 * when the event does not fire it, with a comment saying so. `${NAME}`
 * references stay as written, because the runner resolves them per task;
 * values from `secret "KEY"` are masked.
 */
export async function renderCommand(
  file: string | undefined,
  flags: LocalEventFlags,
  io: CommandIo,
): Promise<number> {
  const { root, configs } = loadLocalConfigs(file, io.cwd);
  const event = await localEvent(flags, root);
  const masker = new SecretMasker();
  const env = templateEnv(localSecrets(flags, io.env), masker, localClock(flags.now));
  const eventText = `${event.type} of bookmark ${JSON.stringify(event.bookmark)}`;

  const plans =
    file === undefined
      ? planEvent(configs, event, env)
      : configs.map((loaded) => {
          const patterns = loaded.config?.on[event.type]?.bookmarks ?? [];
          return planConfig(loaded, event, env, firstMatchingPattern(patterns, event.bookmark));
        });
  if (plans.length === 0) {
    io.stderr(`pogo: no config fires for a ${eventText}; pass a FILE to render it anyway\n`);
    return 0;
  }

  let failed = false;
  const documents: string[] = [];
  for (const plan of plans) {
    for (const warning of plan.warnings) io.stderr(`${masker.mask(warning)}\n`);
    if ("error" in plan) {
      failed = true;
      for (const line of plan.details ?? [plan.error]) io.stderr(`${masker.mask(line)}\n`);
      continue;
    }
    const fires = plan.pattern
      ? `fires on ${JSON.stringify(plan.pattern)}`
      : "does not fire on this event";
    const yaml = stringify(maskStrings(plan.config, masker), { lineWidth: 0 });
    documents.push(`# ${plan.file}: ${eventText} ${fires}\n${yaml}`);
  }
  if (documents.length > 0) io.stdout(documents.join("---\n"));
  return failed ? 1 : 0;
}
