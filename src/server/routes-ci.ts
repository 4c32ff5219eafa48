import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { RunRecord } from "../ci/run-store.js";
import { PIPELINE_LOG } from "../ci/run-store.js";
import type { CiService } from "../ci/service.js";
import { streamRunEvents } from "../ci/stream.js";
import { type ApiError, invalid, notFound } from "../store/errors.js";
import { isActive, RUN_STATUSES, type RunStatus } from "../web/model.js";
import type { AppContext } from "./app.js";
import { readableRepository, writableRepository } from "./auth.js";

type RunParams = { Params: { name: string; run: string } };
type LogParams = { Params: { name: string; run: string; pipeline: string; task?: string } };
type LogQuery = { Querystring: { after?: string; limit?: string; follow?: string } };
/** Default number of log lines per response; `?limit=` sets another count, up to MAX_LOG_PAGE. */
const DEFAULT_LOG_PAGE = 1000;
const MAX_LOG_PAGE = 10_000;

const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;

/**
 * Routes of CI run history: list a repository's runs, read one run with
 * its pipelines and tasks, read or follow a log, follow a whole run, and
 * cancel a run or one pipeline. Reading needs read access to the
 * repository (a CI token of the repository will do); cancelling needs write
 * access. Without a CiService they return 404 CI_DISABLED.
 */
export function registerCiRoutes(
  app: FastifyInstance,
  { store }: AppContext,
  ci: CiService | undefined,
): void {
  const openStreams = new Set<() => void>();
  // Event streams last as long as their run, and would hold a closing server open.
  app.addHook("preClose", async () => {
    for (const finish of [...openStreams]) finish();
  });

  const service = (): CiService => {
    if (!ci) throw notFound("CI_DISABLED", "CI is not enabled on this server");
    return ci;
  };

  app.get<{
    Params: { name: string };
    Querystring: { status?: string; bookmark?: string; limit?: string; offset?: string };
  }>("/repository/:name/runs", async (request) => {
    const { runs } = service();
    const repository = await readableRepository(store, request, request.params.name);
    const { status, bookmark } = request.query;
    if (status !== undefined && !RUN_STATUSES.includes(status as RunStatus)) {
      throw invalid("INVALID_REQUEST", `\`status\` must be one of ${RUN_STATUSES.join(", ")}`);
    }
    const limit = integerQuery(request.query.limit, "limit", 1, MAX_PAGE) ?? DEFAULT_PAGE;
    const offset = integerQuery(request.query.offset, "offset", 0) ?? 0;
    const page = await runs.listRuns(
      repository.id,
      {
        ...(status === undefined ? {} : { status: status as RunStatus }),
        ...(bookmark === undefined ? {} : { bookmark }),
      },
      offset,
      limit,
    );
    return {
      runs: page.runs.map((run) => runView(run, repository.name)),
      total: page.total,
      offset,
      limit,
    };
  });

  app.get<RunParams>("/repository/:name/runs/:run", async (request) => {
    const { runs } = service();
    const repository = await readableRepository(store, request, request.params.name);
    const run = await runs.getRunDetail(repository.id, request.params.run, { logs: false });
    if (!run) throw runNotFound(request.params.run);
    return {
      run: {
        ...runView(
          { ...run, repositoryId: repository.id, previousRevisionId: null },
          repository.name,
        ),
        pipelines: run.pipelines.map((pipeline) => ({
          index: pipeline.index,
          file: pipeline.file,
          pattern: pipeline.pattern,
          status: pipeline.status,
          reason: pipeline.reason,
          warnings: pipeline.warnings,
          startedAt: iso(pipeline.startedAt),
          finishedAt: iso(pipeline.finishedAt),
          tasks: pipeline.tasks.map((task) => ({
            index: task.index,
            type: task.type,
            name: task.name,
            status: task.status,
            exitCode: task.exitCode,
            httpStatus: task.httpStatus,
            reason: task.reason,
            startedAt: iso(task.startedAt),
            finishedAt: iso(task.finishedAt),
            droppedLogLines: task.droppedLogLines,
          })),
        })),
      },
    };
  });

  app.get<RunParams>("/repository/:name/runs/:run/events", async (request, reply) => {
    const { runs, bus } = service();
    const repository = await readableRepository(store, request, request.params.name);
    if (!(await runs.getRunRecord(repository.id, request.params.run))) {
      throw runNotFound(request.params.run);
    }
    await streamRunEvents(
      request,
      reply,
      runs,
      bus,
      {
        repositoryId: repository.id,
        runId: request.params.run,
      },
      openStreams,
    );
  });

  const logRoute = async (request: FastifyRequest<LogParams & LogQuery>, reply: FastifyReply) => {
    const { runs, bus } = service();
    const repository = await readableRepository(store, request, request.params.name);
    const pipeline = integerParam(request.params.pipeline, "pipeline");
    const task =
      request.params.task === undefined ? PIPELINE_LOG : integerParam(request.params.task, "task");
    const run = await runs.getRunDetail(repository.id, request.params.run, { logs: false });
    if (!run) throw runNotFound(request.params.run);

    const found = run.pipelines[pipeline];
    if (!found || (task !== PIPELINE_LOG && !found.tasks[task])) {
      throw notFound(
        "LOG_NOT_FOUND",
        task === PIPELINE_LOG
          ? `run ${run.id} has no pipeline ${pipeline}`
          : `run ${run.id} has no task ${task} in pipeline ${pipeline}`,
      );
    }

    const follow = request.query.follow === "true" || request.query.follow === "1";
    if (follow || String(request.headers.accept ?? "").includes("text/event-stream")) {
      await streamRunEvents(
        request,
        reply,
        runs,
        bus,
        {
          repositoryId: repository.id,
          runId: run.id,
          only: { pipeline, task },
        },
        openStreams,
      );
      return;
    }

    const after = integerQuery(request.query.after, "after", 0) ?? 0;
    const limit = integerQuery(request.query.limit, "limit", 1, MAX_LOG_PAGE) ?? DEFAULT_LOG_PAGE;
    // Reading one line past the page shows whether another page follows.
    const log = await runs.readLog({ runId: run.id, pipeline, task }, after, limit + 1);
    const owner = task === PIPELINE_LOG ? found : found.tasks[task]!;
    const more = log.lines.length > limit;
    return reply.send({
      lines: log.lines.slice(0, limit),
      complete: !more && (log.complete || !isActive(owner.status)),
      more,
    });
  };
  app.get<LogParams & LogQuery>("/repository/:name/runs/:run/pipelines/:pipeline/log", logRoute);
  app.get<LogParams & LogQuery>(
    "/repository/:name/runs/:run/pipelines/:pipeline/tasks/:task/log",
    logRoute,
  );

  app.post<RunParams>("/repository/:name/runs/:run/cancel", async (request) => {
    const ci = service();
    const repository = await writableRepository(store, request, request.params.name);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const pipeline = body.pipeline;
    if (pipeline !== undefined && (!Number.isInteger(pipeline) || (pipeline as number) < 0)) {
      throw invalid("INVALID_REQUEST", "`pipeline` must be a pipeline index (0, 1, …)");
    }
    const run = await ci.runs.getRunRecord(repository.id, request.params.run);
    if (!run) throw runNotFound(request.params.run);
    if (pipeline !== undefined) {
      const count = await ci.runs.countPipelines(run.id);
      if ((pipeline as number) >= count) throw pipelineNotFound(run, pipeline as number, count);
    }
    const cancelled = await ci.cancel(
      repository.id,
      request.params.run,
      pipeline as number | undefined,
    );
    request.log.info(
      { repository: repository.name, run: request.params.run, pipeline, cancelled },
      "run cancel requested",
    );
    return { cancelled };
  });
}

/** Returns the JSON shape of a run in lists; times are ISO 8601 strings. */
function runView(run: RunRecord, repository: string) {
  return {
    id: run.id,
    repository,
    event: run.event,
    bookmark: run.bookmark,
    revision: run.revisionId,
    status: run.status,
    reason: run.reason,
    createdAt: iso(run.createdAt),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
  };
}

function iso(time: number | null): string | null {
  return time === null ? null : new Date(time).toISOString();
}

function runNotFound(id: string): ApiError {
  return notFound("RUN_NOT_FOUND", `run ${JSON.stringify(id)} not found in this repository`);
}

/**
 * Returns the error for a cancel of pipeline `index` that the run lacks. A
 * run has no pipelines until its worker has planned them.
 */
function pipelineNotFound(run: RunRecord, index: number, count: number): ApiError {
  let message: string;
  if (count > 0) {
    const indexes = count === 1 ? "only pipeline 0" : `pipelines 0 to ${count - 1}`;
    message = `run ${run.id} has no pipeline ${index}; it has ${indexes}`;
  } else if (isActive(run.status)) {
    message = `run ${run.id} has no pipeline ${index} yet because it is not planned; cancel the whole run, or retry once it runs`;
  } else {
    message = `run ${run.id} has no pipeline ${index}; it has none`;
  }
  return notFound("PIPELINE_NOT_FOUND", message);
}

function integerParam(text: string, name: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw invalid(
      "INVALID_REQUEST",
      `\`${name}\` must be an index (0, 1, …), not ${JSON.stringify(text)}`,
    );
  }
  return value;
}

function integerQuery(
  text: string | undefined,
  name: string,
  min: number,
  max?: number,
): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || (max !== undefined && value > max)) {
    const range = max === undefined ? `at least ${min}` : `between ${min} and ${max}`;
    throw invalid("INVALID_REQUEST", `\`${name}\` must be an integer ${range}`);
  }
  return value;
}
