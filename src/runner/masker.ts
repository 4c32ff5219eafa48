/** MASK replaces every secret value in logs, reasons and printed configs. */
export const MASK = "***";

/**
 * MIN_SECRET_LENGTH is the shortest secret value that gets masked. Shorter
 * values (`1`, `yes`, `on`) are skipped, as Woodpecker does, because masking
 * them would blank out ordinary words and digits all over a log while hiding
 * nothing an attacker could not guess.
 */
export const MIN_SECRET_LENGTH = 4;

// SGR (colour) sequences, which a terminal does not show.
const SGR_SEQUENCE = /\u001b\[[0-9;:]*m/g;

// Width at which `base64` and `openssl base64` wrap their output.
const BASE64_LINE = 76;
const MIN_BASE64_LINE = 16;

// Returns the base64 of `value` as `btoa (secret "KEY")` and `printf %s |
// base64` give it, and of `value` plus the newline `echo | base64` adds,
// each also as the 76-character lines `base64` wraps a long one into.
function base64Forms(value: string): string[] {
  const forms: string[] = [];
  for (const text of [value, `${value}\n`]) {
    const encoded = Buffer.from(text).toString("base64");
    forms.push(encoded);
    if (encoded.length <= BASE64_LINE) continue;
    for (let start = 0; start < encoded.length; start += BASE64_LINE) {
      const line = encoded.slice(start, start + BASE64_LINE);
      // A short last line (`Cg==`) would blank out text that is no secret.
      if (line.length >= MIN_BASE64_LINE) forms.push(line);
    }
  }
  return forms;
}

// Runs of the base64 and base64url alphabets, with optional padding.
const BASE64_TOKEN = /[A-Za-z0-9+/_-]{8,}={0,2}/g;

/**
 * SecretMasker replaces known secret values with `***`. Masking works on
 * whole lines, so a multi-line value is registered line by line and each of
 * its lines is masked wherever it appears. Values are trimmed first, and
 * lines shorter than MIN_SECRET_LENGTH are skipped. Longer values are
 * replaced first, so a secret that contains another is masked whole.
 *
 * Each line is also registered in the forms it takes once quoted or put in
 * a URL (JSON-escaped, percent-encoded), because messages quote the text
 * they complain about and escaping happens after the value was resolved,
 * and in base64. Base64 inside a longer encoded text (Basic credentials
 * `user:password`) is not found this way, so the runner registers those
 * whole.
 */
export class SecretMasker {
  private readonly values = new Set<string>();
  // Values as passed to `add`, because the runner registers the same secret
  // for every task that uses it and deriving the encoded forms again costs
  // more than the rest of a webhook delivery.
  private readonly added = new Set<string>();
  private sorted: string[] = [];

  /** Registers a secret value; registering the same value again does nothing. */
  add(value: string): void {
    if (this.added.has(value)) return;
    this.added.add(value);
    let changed = false;
    const register = (form: string) => {
      if (form.length < MIN_SECRET_LENGTH || this.values.has(form)) return;
      this.values.add(form);
      changed = true;
    };
    for (const line of value.split(/\r?\n/)) {
      const trimmed = line.trim();
      if (trimmed.length < MIN_SECRET_LENGTH) continue;
      for (const form of encodedForms(trimmed)) register(form);
    }
    // A multi-line value is also encoded whole (`base64 key.pem`).
    const whole = value.trim();
    if (/[\r\n]/.test(whole)) for (const form of base64Forms(whole)) register(form);
    if (changed) this.sorted = [...this.values].sort((a, b) => b.length - a.length);
  }

  /**
   * Registers every base64 or base64url token of `text` (8 characters or
   * more) whose decoded bytes contain a registered value, such as Basic
   * credentials a template built from a secret.
   */
  addEncodedIn(text: string): void {
    if (this.sorted.length === 0) return;
    for (const [token] of text.matchAll(BASE64_TOKEN)) {
      if (this.values.has(token)) continue;
      const decoded = Buffer.from(token, "base64").toString("utf8");
      if (this.sorted.some((value) => decoded.includes(value))) this.add(token);
    }
  }

  /** Length of the longest registered value, 0 when there is none. */
  get maxLength(): number {
    return this.sorted[0]?.length ?? 0;
  }

  get size(): number {
    return this.values.size;
  }

  /**
   * Returns `text` with every registered value replaced by `***`. A value
   * split by colour codes (`fake-pa\e[0mssword`) shows whole on a terminal,
   * so when the text without its SGR sequences contains a value, that text is
   * masked instead and the line loses its colours.
   */
  mask(text: string): string {
    const masked = this.replaceValues(text);
    if (!masked.includes("\u001b[")) return masked;
    const plain = masked.replace(SGR_SEQUENCE, "");
    const maskedPlain = this.replaceValues(plain);
    return maskedPlain === plain ? masked : maskedPlain;
  }

  private replaceValues(text: string): string {
    let masked = text;
    for (const value of this.sorted) {
      if (masked.includes(value)) masked = masked.split(value).join(MASK);
    }
    return masked;
  }

  /**
   * Returns a position at or before `at` where `text` can be cut without
   * splitting a secret value, so both halves can be masked on their own.
   * When a value starts at 0 and crosses `at`, the cut moves to its end.
   */
  safeCut(text: string, at: number): number {
    let cut = at;
    let moved = true;
    while (moved) {
      moved = false;
      for (const value of this.sorted) {
        const start = text.lastIndexOf(value, cut - 1);
        if (start < 0 || start + value.length <= cut) continue;
        // Earlier occurrences may still cross the new cut; the loop checks again.
        cut = start > 0 ? start : start + value.length;
        moved = true;
        if (start === 0) return cut;
      }
    }
    return cut;
  }
}

// Returns `value` with the escaped and percent-encoded forms it can take in
// a quoted message or a parsed URL: JSON string escaping, encodeURIComponent,
// the WHATWG URL encoding of userinfo, path, query and fragment, and base64.
function encodedForms(value: string): Set<string> {
  const forms = new Set([
    value,
    JSON.stringify(value).slice(1, -1),
    encodeURIComponent(value),
    ...base64Forms(value),
  ]);
  try {
    const url = new URL("http://host/");
    url.username = value;
    forms.add(url.username);
    url.pathname = `/${value}`;
    forms.add(url.pathname.slice(1));
    url.search = `?${value}`;
    forms.add(url.search.slice(1));
    url.hash = `#${value}`;
    forms.add(url.hash.slice(1));
  } catch {
    // Every value is settable; the catch only guards a future URL change.
  }
  for (const form of forms) if (form.length < MIN_SECRET_LENGTH) forms.delete(form);
  return forms;
}
