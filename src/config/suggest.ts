/**
 * Words users bring from other CI systems, mapped to the Pogo key they mean.
 * Edit distance alone would not find these (`env` is far from `environment`).
 */
const SYNONYMS: Record<string, string> = {
  env: "environment",
  variables: "environment",
  vars: "environment",
  workdir: "working_dir",
  working_directory: "working_dir",
  cwd: "working_dir",
  script: "commands",
  run: "commands",
  cmd: "commands",
  command: "commands",
  steps: "do",
  tasks: "do",
  jobs: "do",
  branches: "bookmarks",
  tags: "bookmarks",
  bookmark: "bookmarks",
  retry: "retry_policy",
  retries: "retry_policy",
  attempts: "max_attempts",
  endpoint: "url",
  uri: "url",
  verb: "method",
  payload: "body",
  data: "body",
  header: "headers",
  service: "services",
  hostname: "name",
  kind: "type",
};

/** Returns the allowed key the user most likely meant, or undefined when none is close. */
export function suggestKey(unknown: string, allowed: readonly string[]): string | undefined {
  const lower = unknown.toLowerCase();
  const caseOnly = allowed.find((key) => key.toLowerCase() === lower);
  if (caseOnly) return caseOnly;

  const synonym = SYNONYMS[lower];
  if (synonym && allowed.includes(synonym)) return synonym;

  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const key of allowed) {
    const distance = editDistance(lower, key);
    if (distance < bestDistance) {
      best = key;
      bestDistance = distance;
    }
  }
  const limit = Math.max(1, Math.floor(Math.max(lower.length, 3) / 3));
  return bestDistance <= limit ? best : undefined;
}

/** Damerau-Levenshtein distance (adjacent swaps count once), the usual measure for typos. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const columns = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, () => new Array<number>(columns).fill(0));
  for (let i = 0; i < rows; i++) d[i]![0] = i;
  for (let j = 0; j < columns; j++) d[0]![j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < columns; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = value;
    }
  }
  return d[a.length]![b.length]!;
}
