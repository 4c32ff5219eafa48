import type { Diagnostic } from "./diagnostic.js";
import type { CiEvent } from "./event.js";
import { matchGlob } from "./glob.js";
import type { LoadedConfig } from "./load.js";
import type { PipelineConfig } from "./types.js";

/**
 * PipelineMatch is a pipeline an event fires. A broken config appears too,
 * with its diagnostics and no `config`, so the runner records it as a
 * failed pipeline instead of silently skipping it.
 */
export interface PipelineMatch {
  file: string;
  /** The validated config, with templates not yet rendered; absent when the file is broken. */
  config?: PipelineConfig;
  /** The first pattern of `on.<event>.bookmarks` that matched; absent when the triggers are broken. */
  pattern?: string;
  diagnostics: Diagnostic[];
  loaded: LoadedConfig;
}

/**
 * Selects the pipelines an event fires, in config order. A config fires at
 * most once per event, recording the first pattern that matched. A broken
 * config fires when its valid `on` section matches. It also fires when that
 * section is itself broken, because then nobody can tell whether it should.
 */
export function matchEvent(configs: readonly LoadedConfig[], event: CiEvent): PipelineMatch[] {
  const matches: PipelineMatch[] = [];
  for (const loaded of configs) {
    const triggers = loaded.config?.on ?? loaded.triggers;
    const base = { file: loaded.file, diagnostics: loaded.diagnostics, loaded };
    const broken = loaded.config === undefined ? {} : { config: loaded.config };
    if (!triggers) {
      matches.push({ ...base, ...broken });
      continue;
    }
    const pattern = firstMatchingPattern(triggers[event.type]?.bookmarks ?? [], event.bookmark);
    if (pattern !== undefined) matches.push({ ...base, ...broken, pattern });
  }
  return matches;
}

/** Returns the first pattern that matches the bookmark, skipping malformed ones (validation reports those). */
export function firstMatchingPattern(
  patterns: readonly string[],
  bookmark: string,
): string | undefined {
  for (const pattern of patterns) {
    try {
      if (matchGlob(pattern, bookmark)) return pattern;
    } catch {
      // A malformed pattern never matches.
    }
  }
  return undefined;
}
