import { detectEngine, type Engine, LABEL } from "../../src/engine/index.js";

/**
 * Finds the engine for container tests. Without one, the tests are skipped
 * with the reason, unless CI=true: CI must run them, so there the missing
 * engine is an error.
 */
export async function findTestEngine(): Promise<{
  engine: Engine | undefined;
  skipReason: string;
}> {
  try {
    return { engine: await detectEngine(), skipReason: "" };
  } catch (error) {
    if (process.env.CI === "true") throw error;
    return { engine: undefined, skipReason: `no container engine: ${(error as Error).message}` };
  }
}

/** Lists every engine object labelled with `runId`, as `kind name` strings; empty when nothing is left. */
export async function leftoversOfRun(engine: Engine, runId: string): Promise<string[]> {
  const filter = { [LABEL.RUN]: runId };
  const [containers, networks, volumes, images] = await Promise.all([
    engine.containers.list(filter),
    engine.networks.list(filter),
    engine.volumes.list(filter),
    engine.images.list(filter),
  ]);
  return [
    ...containers.map((object) => `container ${object.name}`),
    ...networks.map((object) => `network ${object.name}`),
    ...volumes.map((object) => `volume ${object.name}`),
    ...images
      .filter((object) => object.labels[LABEL.BUILD_CACHE] === undefined)
      .map((object) => `image ${object.name}`),
  ];
}
