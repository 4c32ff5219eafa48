// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${NAME}` is the secret syntax under test.
/**
 * Webhook delivery throughput through the runner against raw undici requests
 * to the same loopback receiver, measured in one run. The receiver is a
 * child process, so its work neither shares the event loop being measured
 * nor counts in this process's CPU time. Both sides send the same POST with
 * a secret in a header, four requests at a time over a keep-alive
 * connection pool. Rounds alternate between the two sides. The report gives
 * the median of each round's ratio, for wall-clock throughput and for CPU
 * time per delivery, because the CPU figure is steadier on a busy machine.
 */
import { spawn } from "node:child_process";
import { Agent, request } from "undici";
import { templateData } from "../src/config/event.js";
import type { PipelineConfig, WebhookSpec } from "../src/config/types.js";
import { Runner } from "../src/runner/runner.js";
import { secretSource } from "../src/runner/secrets.js";
import type { PipelinePlan } from "../src/runner/types.js";
import { NoEngineContainerExecutor } from "../src/tasks/index.js";
import { WebhookExecutor } from "../src/tasks/webhook.js";

const DELIVERIES = 2_000;
const CONCURRENCY = 4;
const ROUNDS = 9;
const TOKEN = "bench-secret-token-0123456789";
const BODY = '{"version": "v1.2.3", "archive": "http://127.0.0.1/archive/v1.2.3.zip"}';

const RECEIVER_SOURCE = `
const { createServer } = require("node:http");
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => { res.writeHead(200, { "content-type": "text/plain" }); res.end("ok"); });
});
server.keepAliveTimeout = 10000;
server.listen(0, "127.0.0.1", () => process.stdout.write(server.address().port + "\\n"));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
`;

export async function run(): Promise<void> {
  // The receiver exits when its stdin closes, so it cannot outlive the bench.
  const receiver = spawn(process.execPath, ["-e", RECEIVER_SOURCE], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    receiver.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    receiver.once("error", reject);
  });
  const url = `http://127.0.0.1:${port}/hook`;

  const rawAgent = new Agent({ keepAliveTimeout: 4_000 });
  const executor = new WebhookExecutor();
  const runner = new Runner({
    executors: { webhook: executor, container: new NoEngineContainerExecutor() },
    concurrency: CONCURRENCY,
  });

  try {
    // Warm up connections and JIT on both paths before measuring.
    await sendRaw(url, rawAgent, DELIVERIES);
    await sendThroughRunner(url, runner, DELIVERIES);

    await sendThroughExecutor(url, executor, DELIVERIES);

    const raw: Sample[] = [];
    const alone: Sample[] = [];
    const piped: Sample[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      raw.push(await measure(() => sendRaw(url, rawAgent, DELIVERIES)));
      alone.push(await measure(() => sendThroughExecutor(url, executor, DELIVERIES)));
      piped.push(await measure(() => sendThroughRunner(url, runner, DELIVERIES)));
    }

    const rateRatio = median(raw.map((sample, round) => piped[round]!.rate / sample.rate));
    const cpuRatio = median(raw.map((sample, round) => piped[round]!.cpuMicros / sample.cpuMicros));
    const rate = (samples: Sample[]) => median(samples.map((sample) => sample.rate)).toFixed(0);
    const cpu = (samples: Sample[]) => median(samples.map((sample) => sample.cpuMicros)).toFixed(1);
    const ownCpu = median(alone.map((sample, round) => piped[round]!.cpuMicros - sample.cpuMicros));
    process.stdout.write(
      `webhook delivery, ${ROUNDS} alternating rounds of ${DELIVERIES}, ${CONCURRENCY} at a time (medians)\n` +
        `  raw undici:     ${rate(raw)} deliveries/s, ${cpu(raw)} µs CPU each\n` +
        `  executor alone: ${rate(alone)} deliveries/s, ${cpu(alone)} µs CPU each\n` +
        `  runner:         ${rate(piped)} deliveries/s, ${cpu(piped)} µs CPU each\n` +
        `  throughput runner/raw: ${rateRatio.toFixed(3)} (overhead ${((1 / rateRatio - 1) * 100).toFixed(1)}%, goal under 10%)\n` +
        `  CPU per delivery runner/raw: ${cpuRatio.toFixed(3)}\n` +
        `  CPU the runner adds to the executor: ${ownCpu.toFixed(1)} µs per delivery\n`,
    );
  } finally {
    await executor.close();
    await rawAgent.close();
    receiver.stdin.end();
    await new Promise((resolve) => receiver.once("exit", resolve));
  }
}

interface Sample {
  rate: number;
  cpuMicros: number;
}

async function measure(send: () => Promise<void>): Promise<Sample> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await send();
  const elapsed = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    rate: DELIVERIES / (elapsed / 1000),
    cpuMicros: (cpu.user + cpu.system) / DELIVERIES,
  };
}

async function sendRaw(url: string, dispatcher: Agent, count: number): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: CONCURRENCY }, async () => {
    while (next < count) {
      next++;
      const response = await request(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${TOKEN}` },
        body: BODY,
        dispatcher,
      });
      await response.body.text();
      if (response.statusCode !== 200) throw new Error(`receiver returned ${response.statusCode}`);
    }
  });
  await Promise.all(workers);
}

// The webhook executor on its own, called as the runner calls it but
// without pipelines, records, secrets or masking: what the runner adds is
// the difference between this side and the runner's.
async function sendThroughExecutor(
  url: string,
  executor: WebhookExecutor,
  count: number,
): Promise<void> {
  const spec: WebhookSpec = {
    url,
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${TOKEN}` },
    body: BODY,
  };
  const signal = new AbortController().signal;
  const log = { write: () => {}, info: () => {} };
  let next = 0;
  const workers = Array.from({ length: CONCURRENCY }, async () => {
    while (next < count) {
      next++;
      const result = await executor.run(spec, {
        runId: "bench",
        pipeline: ".pogo/ci/hook.yaml",
        taskIndex: 0,
        log,
        signal,
        timeoutMs: 30_000,
        data: templateData({ Rev: "v1.2.3" }),
      });
      if (result.status !== "success") throw new Error(`executor ended with ${result.status}`);
    }
  });
  await Promise.all(workers);
}

// One event with `count` pipelines of one webhook task each, so every
// delivery goes through planning records, secret resolution, masking and
// observer calls.
async function sendThroughRunner(url: string, runner: Runner, count: number): Promise<void> {
  const config: PipelineConfig = {
    version: 1,
    on: { push: { bookmarks: ["v*"] } },
    do: [
      {
        type: "webhook",
        webhook: {
          url,
          method: "POST",
          headers: { "Content-Type": "application/json", Authorization: "Bearer ${DEPLOY_TOKEN}" },
          body: BODY,
        },
      },
    ],
  };
  const plans: PipelinePlan[] = Array.from({ length: count }, (_, index) => ({
    file: `.pogo/ci/hook-${index}.yaml`,
    pattern: "v*",
    config,
    warnings: [],
  }));
  let lines = 0;
  const result = await runner.runEvent({
    event: { type: "push", bookmark: "v1.2.3", data: templateData({ Rev: "v1.2.3" }) },
    plans,
    secrets: secretSource({ DEPLOY_TOKEN: TOKEN }),
    observer: { logLine: () => lines++ },
  });
  if (result.status !== "success") throw new Error(`runner run ended with ${result.status}`);
  if (lines === 0) throw new Error("runner produced no log lines");
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
