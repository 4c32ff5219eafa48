/**
 * Runs every benchmark and prints one ratio per measurement against a
 * baseline taken in the same run, so results compare across machines.
 */
const suites: Array<{ name: string; load: () => Promise<{ run: () => Promise<void> }> }> = [
  { name: "config validation", load: () => import("./config.js") },
  { name: "server push and archive", load: () => import("./server.js") },
  { name: "webhook delivery", load: () => import("./webhook.js") },
  { name: "template render", load: () => import("./template.js") },
  { name: "end to end: real package tests", load: () => import("./e2e.js") },
  { name: "web UI render", load: () => import("./web.js") },
  { name: "container tasks", load: () => import("./container.js") },
  { name: "CI on the server", load: () => import("./ci.js") },
];

// `npm run bench -- webhook "web UI"` runs the suites whose name contains an
// argument, in any case.
const wanted = process.argv.slice(2).map((word) => word.toLowerCase());
const chosen = suites.filter(
  (suite) => wanted.length === 0 || wanted.some((word) => suite.name.toLowerCase().includes(word)),
);
if (chosen.length === 0) {
  process.stderr.write(
    `bench: no suite matches ${wanted.join(" ")}; suites: ${suites.map((suite) => suite.name).join(", ")}\n`,
  );
  process.exit(2);
}
for (const suite of chosen) {
  process.stdout.write(`\n## ${suite.name}\n`);
  const module = await suite.load();
  await module.run();
}
