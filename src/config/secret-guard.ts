import { randomBytes } from "node:crypto";

/** `${NAME}` and its escaped form `$${NAME}`, with the runner's name rules. */
const REFERENCE = /\$\$?\{[A-Za-z_][A-Za-z0-9_]*\}/g;

/**
 * SecretGuard keeps template output from adding secret references. The
 * runner replaces `${NAME}` with the secret NAME after rendering, so a
 * change description holding `${DEPLOY_TOKEN}` would otherwise send the
 * secret wherever the description goes. The references written in the file
 * are swapped for placeholders before rendering. In the output every other
 * `${` is escaped as `$${`, which the runner turns into a literal `${`.
 */
export class SecretGuard {
  private readonly references: string[] = [];
  private readonly placeholder: RegExp;
  private readonly prefix: string;

  constructor() {
    // Letters and digits only, so the placeholder is plain text to YAML and to the template engine.
    this.prefix = `POGOREF${randomBytes(8).toString("hex")}N`;
    this.placeholder = new RegExp(`${this.prefix}(\\d+)X`, "g");
  }

  /** Replaces the file's own secret references in `text` with placeholders. */
  protect(text: string): string {
    return text.replace(REFERENCE, (reference) => {
      this.references.push(reference);
      return `${this.prefix}${this.references.length - 1}X`;
    });
  }

  /** Escapes references the rendering produced, then puts the file's own references back. */
  restore(output: string): string {
    return output
      .replace(/\$\{/g, () => "$${")
      .replace(this.placeholder, (_, index: string) => this.references[Number(index)]!);
  }
}

/** Undoes `restore`'s escaping in a field the runner never resolves secrets in, such as a command. */
export function unescapeReferences(text: string): string {
  return text.replace(/\$\$\{/g, () => "${");
}
