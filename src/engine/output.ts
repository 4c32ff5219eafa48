import { parseStepMarker } from "./convert.js";

/**
 * LinePrefixer splits output into lines and prefixes each one, as service
 * logs are shown in the task log (`[postgres] ready to accept connections`).
 * A partial line waits for its end until `flush`.
 */
export class LinePrefixer {
  private pending = "";

  constructor(
    private readonly prefix: string,
    private readonly emit: (line: string) => void,
  ) {}

  write(chunk: string): void {
    const lines = (this.pending + chunk).split("\n");
    this.pending = lines.pop() ?? "";
    for (const line of lines) this.emit(`${this.prefix}${line.replace(/\r$/, "")}\n`);
  }

  flush(): void {
    if (this.pending !== "") this.emit(`${this.prefix}${this.pending}\n`);
    this.pending = "";
  }
}

/**
 * StepMarkerFilter takes the main container's stdout, removes the marker
 * lines the command script prints before each command, and reports them as
 * steps. A marker ends a line but may follow output that lacked a final
 * newline, as after `printf 'partial'`. That output then stays on a line of
 * its own, before the step. Other text passes through at once, except the
 * end of a partial line that may still turn into a marker.
 */
export class StepMarkerFilter {
  private pending = "";
  private readonly prefix: string;
  /** Whether the text passed through so far ends with a newline, or nothing has passed yet. */
  private atLineStart = true;

  constructor(
    private readonly nonce: string,
    private readonly passThrough: (text: string) => void,
    private readonly onStep: (index: number) => void,
  ) {
    this.prefix = `::pogo-step-${nonce}::`;
  }

  write(chunk: string): void {
    this.pending += chunk;
    let text = "";
    let newline = this.pending.indexOf("\n");
    while (newline >= 0) {
      const line = this.pending.slice(0, newline + 1);
      this.pending = this.pending.slice(newline + 1);
      const markerAt = line.lastIndexOf(this.prefix);
      const step =
        markerAt < 0 ? undefined : parseStepMarker(line.slice(markerAt).trimEnd(), this.nonce);
      if (step === undefined) {
        text += line;
      } else {
        this.emit(text + line.slice(0, markerAt));
        text = "";
        if (!this.atLineStart) this.emit("\n");
        this.onStep(step);
      }
      newline = this.pending.indexOf("\n");
    }
    const markerStart = this.possibleMarkerStart(this.pending);
    text += this.pending.slice(0, markerStart);
    this.pending = this.pending.slice(markerStart);
    this.emit(text);
  }

  flush(): void {
    this.emit(this.pending);
    this.pending = "";
  }

  private emit(text: string): void {
    if (text === "") return;
    this.passThrough(text);
    this.atLineStart = text.endsWith("\n");
  }

  /** Returns where a marker may begin in a partial line: its full prefix, or a tail that starts the prefix. */
  private possibleMarkerStart(partial: string): number {
    const found = partial.indexOf(this.prefix);
    if (found >= 0) return found;
    for (
      let start = Math.max(0, partial.length - this.prefix.length);
      start < partial.length;
      start++
    ) {
      if (this.prefix.startsWith(partial.slice(start))) return start;
    }
    return partial.length;
  }
}
