import type { Readable } from "node:stream";
import type Docker from "dockerode";
import { engineCall, engineRequest } from "../engine-call.js";
import { ImageError, isNotFound, oneLine } from "../errors.js";
import { engineFilterTerms, keepMatching } from "../labels.js";
import type {
  BuildRequest,
  ImageClient,
  LabelFilter,
  ListedObject,
  PullProgress,
} from "../types.js";

interface ProgressEvent {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** ApiImageClient pulls, builds and removes images through the Engine API. */
export class ApiImageClient implements ImageClient {
  constructor(private readonly docker: Docker) {}

  async exists(reference: string): Promise<boolean> {
    const found = await engineCall(
      "inspect image",
      { image: reference },
      () => this.docker.getImage(reference).inspect(),
      isNotFound,
    );
    return found !== undefined;
  }

  async pull(
    reference: string,
    onProgress: (progress: PullProgress) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const stream = (await engineRequest(`pull image ${reference}`, {}, () =>
      this.docker.pull(reference),
    )) as Readable;
    await this.follow(stream, `pull image ${reference}`, signal, (event) => {
      if (!event.status) return;
      onProgress({
        status: event.status,
        ...(event.id ? { layer: event.id } : {}),
        ...(event.progressDetail?.current !== undefined
          ? { current: event.progressDetail.current }
          : {}),
        ...(event.progressDetail?.total !== undefined ? { total: event.progressDetail.total } : {}),
      });
    });
  }

  async build(
    request: BuildRequest,
    onOutput: (line: string) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const stream = (await engineRequest("build image", { tag: request.tag }, () =>
      this.docker.buildImage(request.context, {
        t: request.tag,
        dockerfile: request.dockerfile,
        labels: request.labels,
        rm: true,
        forcerm: true,
      }),
    )) as Readable;
    let pending = "";
    await this.follow(stream, `build image ${request.tag}`, signal, (event) => {
      if (event.stream === undefined) return;
      const lines = (pending + event.stream).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) onOutput(line);
    });
    if (pending !== "") onOutput(pending);
  }

  async remove(reference: string): Promise<void> {
    await engineCall(
      "remove image",
      { image: reference },
      () => this.docker.getImage(reference).remove(),
      isNotFound,
    );
  }

  async list(filter: LabelFilter): Promise<ListedObject[]> {
    const images = await engineRequest("list images", { filter }, () =>
      this.docker.listImages({ filters: { label: engineFilterTerms(filter) } }),
    );
    const listed = images.map((image) => {
      const tag = image.RepoTags?.find((name) => name !== "<none>:<none>");
      return { id: image.Id, name: tag ?? image.Id, labels: image.Labels ?? {} };
    });
    return keepMatching(listed, filter);
  }

  /** Reads a JSON progress stream to its end; an `error` message in it fails the request. */
  private follow(
    stream: Readable,
    action: string,
    signal: AbortSignal | undefined,
    onEvent: (event: ProgressEvent) => void,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        stream.destroy();
        reject(signal?.reason ?? new Error("aborted"));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      // The engine reports a failed pull or build inside the stream, after a 200 response.
      let failure: ProgressEvent | undefined;
      this.docker.modem.followProgress(
        stream,
        (error: unknown) => {
          signal?.removeEventListener("abort", onAbort);
          const cause = error ?? failure;
          if (cause) {
            const reason = oneLine(messageOf(cause));
            reject(new ImageError(`Failed to ${action}: ${reason}`, { cause, reason }));
          } else resolve();
        },
        (event: ProgressEvent) => {
          if (event.error || event.errorDetail) failure ??= event;
          else onEvent(event);
        },
      );
    });
  }
}

function messageOf(error: unknown): string {
  if (typeof error === "object" && error !== null) {
    const detail = (error as ProgressEvent).errorDetail?.message ?? (error as ProgressEvent).error;
    if (typeof detail === "string") return detail;
    if (error instanceof Error) return error.message;
  }
  return String(error);
}
