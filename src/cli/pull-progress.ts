import type { ProgressUpdate } from "../tasks/task.js";

/** LayerState is the latest status of one image layer and its download size, once known. */
interface LayerState {
  status: string;
  downloaded: number;
  size?: number;
}

/** PullState collects the progress updates of one image pull. */
export class PullState {
  private readonly layers = new Map<string, LayerState>();

  constructor(readonly image: string) {}

  update(update: ProgressUpdate): void {
    // Updates without a layer are image-wide ("Pulling from …", "Digest: …") and carry no counts.
    if (update.layer === undefined) return;
    const state = this.layers.get(update.layer) ?? { status: update.status, downloaded: 0 };
    state.status = update.status;
    // Extracting reports counts too; only Downloading counts are network bytes.
    if (update.status === "Downloading") {
      if (update.current !== undefined) state.downloaded = update.current;
      if (update.total !== undefined) state.size = update.total;
    } else if (DOWNLOADED.test(update.status) && state.size !== undefined) {
      state.downloaded = state.size;
    }
    this.layers.set(update.layer, state);
  }

  /** Returns layers finished and known, and download bytes done and expected. */
  counts(): { done: number; layers: number; bytes: number; totalBytes: number } {
    let done = 0;
    let bytes = 0;
    let totalBytes = 0;
    for (const layer of this.layers.values()) {
      if (FINISHED.test(layer.status)) done++;
      bytes += layer.downloaded;
      totalBytes += layer.size ?? 0;
    }
    return { done, layers: this.layers.size, bytes, totalBytes };
  }
}

// Docker's final status of a layer; "Download complete" is followed by extraction.
const FINISHED = /^(Pull complete|Already exists)$/;
const DOWNLOADED = /^(Verifying Checksum|Download complete|Extracting|Pull complete)$/;

/**
 * Formats the one-line summary of a pull, such as
 * `pulling node:20: 3/5 layers, 12.4/40.0 MB`.
 */
export function formatPullLine(state: PullState): string {
  const { done, layers, bytes, totalBytes } = state.counts();
  let line = `pulling ${state.image}: ${done}/${layers} layers`;
  if (totalBytes > 0) line += `, ${formatMegabytes(bytes)}/${formatMegabytes(totalBytes)} MB`;
  return line;
}

function formatMegabytes(bytes: number): string {
  return (bytes / 1_000_000).toFixed(1);
}

/** CLEAR_LINE returns the cursor to the line start and erases the line (ANSI EL 2). */
export const CLEAR_LINE = "\r\u001b[2K";
