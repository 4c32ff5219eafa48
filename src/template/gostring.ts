/**
 * Go strings are byte strings and may hold invalid UTF-8 ("\xff", a slice
 * through a multi-byte character, atob of binary data). This engine keeps
 * each invalid byte 0x80-0xFF as the lone surrogate U+DC80-U+DCFF, so a
 * JavaScript string round-trips every Go string byte for byte. Output that
 * leaves the engine replaces those with U+FFFD, as Go's JSON encoder does.
 */

const ESCAPE_BASE = 0xdc00;
const SURROGATE = /[\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Reports whether s may contain escaped bytes (it contains a surrogate code unit). */
export function mayHoldBytes(s: string): boolean {
  return SURROGATE.test(s);
}

/** Returns the bytes of a Go string. */
export function goBytes(s: string): Uint8Array {
  if (!SURROGATE.test(s)) return Buffer.from(s, "utf8");
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        const r = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        out.push(
          0xf0 | (r >> 18),
          0x80 | ((r >> 12) & 63),
          0x80 | ((r >> 6) & 63),
          0x80 | (r & 63),
        );
        i++;
        continue;
      }
    }
    if (c >= 0xdc80 && c <= 0xdcff) {
      out.push(c - ESCAPE_BASE);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out.push(0xef, 0xbf, 0xbd);
    } else if (c < 0x80) {
      out.push(c);
    } else if (c < 0x800) {
      out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    } else {
      out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
  }
  return Uint8Array.from(out);
}

/** Returns the byte length of a Go string, as `len` counts it. */
export function goByteLength(s: string): number {
  if (/^[\x00-\x7f]*$/.test(s)) return s.length;
  return SURROGATE.test(s) ? goBytes(s).length : Buffer.byteLength(s, "utf8");
}

const strict = new TextDecoder("utf-8", { fatal: true });

/** Builds a Go string from bytes, keeping invalid bytes as escapes (Go's utf8.DecodeRune rules). */
export function goStringFromBytes(b: Uint8Array): string {
  // TextDecoder has a high fixed cost per call, so short strings decode here.
  if (b.length > 256) {
    try {
      return strict.decode(b);
    } catch {
      // Invalid UTF-8: decode rune by rune below.
    }
  }
  let out = "";
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const width = validRuneWidth(b, i);
    if (width === 0) {
      out += String.fromCharCode(ESCAPE_BASE + c);
      i++;
      continue;
    }
    out += String.fromCodePoint(runeAt(b, i, width));
    i += width;
  }
  return out;
}

function runeAt(b: Uint8Array, i: number, width: number): number {
  const c = b[i]!;
  if (width === 1) return c;
  if (width === 2) return ((c & 0x1f) << 6) | (b[i + 1]! & 0x3f);
  if (width === 3) return ((c & 0x0f) << 12) | ((b[i + 1]! & 0x3f) << 6) | (b[i + 2]! & 0x3f);
  return (
    ((c & 0x07) << 18) | ((b[i + 1]! & 0x3f) << 12) | ((b[i + 2]! & 0x3f) << 6) | (b[i + 3]! & 0x3f)
  );
}

function validRuneWidth(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) =>
    i + k < b.length && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** Returns the escaped byte a code unit stands for, or -1 when it is not an escape. */
export function escapedByte(codeUnit: number): number {
  return codeUnit >= 0xdc80 && codeUnit <= 0xdcff ? codeUnit - ESCAPE_BASE : -1;
}

/** Replaces escaped bytes (and any other lone surrogate) with U+FFFD for output. */
export function toWellFormed(s: string): string {
  return SURROGATE.test(s) ? s.replace(LONE_SURROGATE, "\ufffd") : s;
}
