import { engineRequest } from "../engine-call.js";
import { isNotFound } from "../errors.js";
import type { Labels, ListedObject } from "../types.js";
import { runDocker } from "./run-docker.js";

/** Turns labels into `--label key=value` arguments. */
export function labelArgs(labels: Labels): string[] {
  return Object.entries(labels).flatMap(([key, value]) => ["--label", `${key}=${value}`]);
}

/** Runs a listing command with label filters and returns the printed ids. */
export async function listIds(
  command: string,
  listArgs: string[],
  terms: string[],
): Promise<string[]> {
  const filters = terms.flatMap((term) => ["--filter", `label=${term}`]);
  const stdout = await engineRequest(`list with ${listArgs[0]}`, { terms }, () =>
    runDocker(command, [...listArgs, ...filters]),
  );
  return [
    ...new Set(
      stdout
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== ""),
    ),
  ];
}

/**
 * Reads names and labels of listed objects with one `inspect`. Listing
 * output joins labels with commas, which is ambiguous, so it is not used.
 */
export async function inspectLabels(
  command: string,
  type: "container" | "network" | "volume" | "image",
  ids: string[],
): Promise<ListedObject[]> {
  if (ids.length === 0) return [];
  const format =
    type === "image"
      ? "{{json .Id}}\t{{json .RepoTags}}\t{{json .Config.Labels}}"
      : type === "volume"
        ? "{{json .Name}}\t{{json .Name}}\t{{json .Labels}}"
        : type === "network"
          ? "{{json .Id}}\t{{json .Name}}\t{{json .Labels}}"
          : "{{json .Id}}\t{{json .Name}}\t{{json .Config.Labels}}";
  let stdout: string;
  try {
    stdout = await engineRequest(`inspect ${type}s`, { count: ids.length }, () =>
      runDocker(command, [
        type === "container" ? "container" : type,
        "inspect",
        "--format",
        format,
        ...ids,
      ]),
    );
  } catch (error) {
    // An object removed between listing and inspection fails the whole call; retry one by one.
    if (!isNotFound(error) || ids.length === 1)
      return isNotFound(error) ? [] : Promise.reject(error);
    const each = await Promise.all(ids.map((id) => inspectLabels(command, type, [id])));
    return each.flat();
  }
  return stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const [id, name, labels] = line.split("\t").map((part) => JSON.parse(part) as unknown);
      const tag = Array.isArray(name) ? (name[0] as string | undefined) : (name as string);
      return {
        id: id as string,
        name: (tag ?? (id as string)).replace(/^\//, ""),
        labels: (labels as Labels | null) ?? {},
      };
    });
}
