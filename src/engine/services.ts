import type { ServiceSpec } from "../config/types.js";
import type { LogSink } from "../tasks/task.js";
import { type ResourceLimits, toServiceContainerSettings } from "./convert.js";
import { resolveImage } from "./image-source.js";
import { LinePrefixer } from "./output.js";
import type { Teardown } from "./teardown.js";
import type { AttachedOutput, Engine, Labels } from "./types.js";
import { ServiceNotReadyError, ServiceReadyWaitStrategy, settleWithin } from "./wait.js";

/** StartedService is a service container that is running, and healthy if it has a healthcheck. */
export interface StartedService {
  name: string;
  id: string;
  output: AttachedOutput;
  /** Writes out a last partial log line. */
  flush(): void;
}

export interface ServiceStartInput {
  engine: Engine;
  services: ServiceSpec[];
  network: string;
  /** Prefix of container names; a service container is named `PREFIX-service-NAME`, so a service called `main` cannot clash with the main container. */
  namePrefix: string;
  labels: Labels;
  limits: ResourceLimits;
  repositoryDir: string | undefined;
  runId: string;
  log: LogSink;
  /** Folder of the build context hash cache; see ImageSourceInput. */
  hashCacheDir?: string | null;
  teardown: Teardown;
  signal: AbortSignal;
}

/**
 * Starts every service at once on the task network and waits until each is
 * ready. Their output goes to the task log with a `[name]` prefix. A service
 * that exits or turns unhealthy first fails the whole start; the teardown
 * removes whatever did start.
 */
export function startServices(input: ServiceStartInput): Promise<StartedService[]> {
  return Promise.all(input.services.map((service) => startService(input, service)));
}

async function startService(
  input: ServiceStartInput,
  service: ServiceSpec,
): Promise<StartedService> {
  const image = await resolveImage({
    engine: input.engine,
    image: service.image,
    repositoryDir: input.repositoryDir,
    runId: input.runId,
    log: input.log,
    signal: input.signal,
    ...(input.hashCacheDir === undefined ? {} : { hashCacheDir: input.hashCacheDir }),
  });
  input.signal.throwIfAborted();

  const settings = toServiceContainerSettings({
    service,
    name: `${input.namePrefix}-service-${service.name}`,
    image,
    labels: { ...input.labels },
    limits: input.limits,
    network: input.network,
  });
  const id = await input.teardown.createContainer(settings);
  input.signal.throwIfAborted();

  const stdout = new LinePrefixer(`[${service.name}] `, (line) => input.log.write(line, "stdout"));
  const stderr = new LinePrefixer(`[${service.name}] `, (line) => input.log.write(line, "stderr"));
  const output = await input.engine.containers.start(id, (chunk, stream) =>
    (stream === "stdout" ? stdout : stderr).write(chunk),
  );
  const flush = () => {
    stdout.flush();
    stderr.flush();
  };

  const wait = new ServiceReadyWaitStrategy();
  try {
    await wait.waitUntilReady(input.engine.containers, id, input.signal);
  } catch (error) {
    if (error instanceof ServiceNotReadyError) {
      await settleWithin(output.done, 1_000);
      flush();
      throw new ServiceNotReadyError(`Service ${service.name} ${error.message}.`);
    }
    throw error;
  }
  input.log.info(`service ${service.name} is ${wait.description}`);
  return { name: service.name, id, output, flush };
}
