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

for (const suite of suites) {
  process.stdout.write(`\n## ${suite.name}\n`);
  const module = await suite.load();
  await module.run();
}
if (suites.length === 0) process.stdout.write("no benchmarks yet\n");
