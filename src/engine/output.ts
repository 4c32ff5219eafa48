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
 * steps. Other text passes through at once, except a partial line that may
 * still turn into a marker.
 */
export class StepMarkerFilter {
  private pending = "";
  private readonly prefix: string;

  constructor(
    private readonly nonce: string,
    private readonly passThrough: (text: string) => void,
    private readonly onStep: (index: number) => void,
  ) {
    this.prefix = `::pogo-step-${nonce}::`;
  }

  write(chunk: string): void {
    this.pending += chunk;
    let newline = this.pending.indexOf("\n");
    let text = "";
    while (newline >= 0) {
      const line = this.pending.slice(0, newline + 1);
      this.pending = this.pending.slice(newline + 1);
      const step = parseStepMarker(line.trimEnd(), this.nonce);
      if (step === undefined) {
        text += line;
      } else {
        if (text !== "") this.passThrough(text);
        text = "";
        this.onStep(step);
      }
      newline = this.pending.indexOf("\n");
    }
    if (this.pending !== "" && !this.mayBecomeMarker(this.pending)) {
      text += this.pending;
      this.pending = "";
    }
    if (text !== "") this.passThrough(text);
  }

  flush(): void {
    if (this.pending !== "") this.passThrough(this.pending);
    this.pending = "";
  }

  private mayBecomeMarker(partial: string): boolean {
    return this.prefix.startsWith(partial) || partial.startsWith(this.prefix);
  }
}
