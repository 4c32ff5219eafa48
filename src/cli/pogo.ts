#!/usr/bin/env node
import { runCli } from "./main.js";

// A reader that goes away (`pogo ci runs list | head -1`) makes writes fail
// with EPIPE, and a closed terminal with EIO. Output has nowhere to go then,
// but the command still finishes and cleans up, so the error is dropped
// instead of crashing the process.
const GONE = new Set(["EPIPE", "EIO", "ERR_STREAM_DESTROYED"]);
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (!GONE.has(error.code ?? "")) throw error;
  });
}

process.exitCode = await runCli(process.argv.slice(2));
