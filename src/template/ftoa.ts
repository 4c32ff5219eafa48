/**
 * strconv.FormatFloat(v, fmt, prec, 64) for the formats fmt uses: 'e', 'E',
 * 'f', 'g', 'G', 'b', 'x', 'X'. Shortest digits come from JavaScript, because
 * both languages produce the shortest string that reads back exactly. A fixed
 * precision is rounded half to even on the exact binary value, as Go does.
 */

interface Digits {
  d: string; // decimal digits without leading or trailing zeros
  dp: number; // position of the decimal point: value = 0.d × 10^dp
}

const view = new DataView(new ArrayBuffer(8));

function bitsOf(v: number): { neg: boolean; exp: number; mant: bigint } {
  view.setFloat64(0, v);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const neg = hi >>> 31 === 1;
  const exp = (hi >>> 20) & 0x7ff;
  const mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  return { neg, exp, mant };
}

function shortestDigits(v: number): Digits {
  if (v === 0) return { d: "", dp: 0 };
  const s = Math.abs(v).toExponential();
  const [mantissa, exponent] = s.split("e") as [string, string];
  const d = mantissa.replace(".", "").replace(/0+$/, "");
  return { d, dp: Number(exponent) + 1 };
}

function exactDigits(v: number): Digits {
  if (v === 0) return { d: "", dp: 0 };
  const { exp, mant } = bitsOf(Math.abs(v));
  let m = mant;
  let e: number;
  if (exp === 0) {
    e = 1 - 1075;
  } else {
    m |= 1n << 52n;
    e = exp - 1075;
  }
  let digits: string;
  let dp: number;
  if (e >= 0) {
    digits = (m << BigInt(e)).toString();
    dp = digits.length;
  } else {
    digits = (m * 5n ** BigInt(-e)).toString();
    dp = digits.length + e;
  }
  const trimmed = digits.replace(/0+$/, "");
  return { d: trimmed, dp };
}

/** Rounds to nd digits, half to even on the exact value. */
function roundDigits(x: Digits, nd: number): Digits {
  if (nd < 0 || nd >= x.d.length) {
    if (nd < 0) return { d: "", dp: x.dp };
    return x;
  }
  const next = x.d.charCodeAt(nd) - 48;
  let up: boolean;
  if (next > 5) up = true;
  else if (next < 5) up = false;
  else if (nd + 1 < x.d.length) up = true;
  else up = nd > 0 && (x.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  if (!up) {
    return { d: x.d.slice(0, nd).replace(/0+$/, ""), dp: x.dp };
  }
  const chars = x.d.slice(0, nd).split("");
  let i = nd - 1;
  while (i >= 0 && chars[i] === "9") {
    chars[i] = "";
    i--;
  }
  if (i < 0) return { d: "1", dp: x.dp + 1 };
  chars[i] = String.fromCharCode(chars[i]!.charCodeAt(0) + 1);
  return { d: chars.slice(0, i + 1).join(""), dp: x.dp };
}

function fmtE(neg: boolean, x: Digits, prec: number, fmt: string): string {
  let s = neg ? "-" : "";
  s += x.d.length === 0 ? "0" : x.d[0];
  if (prec > 0) {
    s += ".";
    let i = 1;
    const m = Math.min(x.d.length, prec + 1);
    if (i < m) {
      s += x.d.slice(i, m);
      i = m;
    }
    for (; i <= prec; i++) s += "0";
  }
  s += fmt;
  let exp = x.dp - 1;
  if (x.d.length === 0) exp = 0;
  s += exp < 0 ? "-" : "+";
  exp = Math.abs(exp);
  s += exp < 10 ? `0${exp}` : String(exp);
  return s;
}

function fmtF(neg: boolean, x: Digits, prec: number): string {
  let s = neg ? "-" : "";
  if (x.dp > 0) {
    const m = Math.min(x.d.length, x.dp);
    s += x.d.slice(0, m);
    for (let i = m; i < x.dp; i++) s += "0";
  } else {
    s += "0";
  }
  if (prec > 0) {
    s += ".";
    for (let i = 1; i <= prec; i++) {
      const j = x.dp + i - 1;
      s += j >= 0 && j < x.d.length ? x.d[j] : "0";
    }
  }
  return s;
}

function fmtB(neg: boolean, mant: bigint, exp: number): string {
  const e = exp - 52;
  return `${neg ? "-" : ""}${mant}p${e >= 0 ? "+" : "-"}${Math.abs(e)}`;
}

const MASK64 = (1n << 64n) - 1n;

function fmtX(prec: number, fmt: string, neg: boolean, mantIn: bigint, expIn: number): string {
  let mant = mantIn;
  let exp = expIn;
  if (mant === 0n) exp = 0;
  mant = (mant << 8n) & MASK64; // Leading 1 (if any) at bit 60.
  while (mant !== 0n && (mant & (1n << 60n)) === 0n) {
    mant = (mant << 1n) & MASK64;
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & ((1n << 60n) - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant = (mant << (60n - shift)) & MASK64;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const hex = fmt === "X" ? "0123456789ABCDEF" : "0123456789abcdef";
  let s = neg ? "-" : "";
  s += `0${fmt}${(mant >> 60n) & 1n}`;
  mant = (mant << 4n) & MASK64;
  if (prec < 0 && mant !== 0n) {
    s += ".";
    while (mant !== 0n) {
      s += hex[Number((mant >> 60n) & 15n)];
      mant = (mant << 4n) & MASK64;
    }
  } else if (prec > 0) {
    s += ".";
    for (let i = 0; i < prec; i++) {
      s += hex[Number((mant >> 60n) & 15n)];
      mant = (mant << 4n) & MASK64;
    }
  }
  s += fmt === "X" ? "P" : "p";
  s += exp < 0 ? "-" : "+";
  const e = Math.abs(exp);
  s += e < 10 ? `0${e}` : String(e);
  return s;
}

/** Formats a float64 as strconv.FormatFloat(v, fmt, prec, 64) does. */
export function formatFloat(v: number, fmt: string, prec: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  const neg = v < 0 || Object.is(v, -0);
  if (fmt === "b" || fmt === "x" || fmt === "X") {
    const bits = bitsOf(v);
    let exp = bits.exp;
    let mant = bits.mant;
    if (exp === 0) exp++;
    else mant |= 1n << 52n;
    exp -= 1023;
    if (fmt === "b") return fmtB(neg, mant, exp);
    return fmtX(prec, fmt, neg, mant, exp);
  }
  const shortest = prec < 0;
  let digs: Digits;
  if (shortest) {
    digs = shortestDigits(v);
    switch (fmt) {
      case "e":
      case "E":
        prec = Math.max(digs.d.length - 1, 0);
        break;
      case "f":
        prec = Math.max(digs.d.length - digs.dp, 0);
        break;
      case "g":
      case "G":
        prec = digs.d.length;
        break;
    }
  } else {
    const exact = exactDigits(v);
    switch (fmt) {
      case "e":
      case "E":
        digs = roundDigits(exact, prec + 1);
        break;
      case "f":
        digs = roundDigits(exact, exact.dp + prec);
        break;
      default:
        if (prec === 0) prec = 1;
        digs = roundDigits(exact, prec);
    }
  }
  switch (fmt) {
    case "e":
    case "E":
      return fmtE(neg, digs, prec, fmt);
    case "f":
      return fmtF(neg, digs, prec);
    default: {
      let eprec = prec;
      if (eprec > digs.d.length && digs.d.length >= digs.dp) eprec = digs.d.length;
      if (shortest) eprec = 6;
      const exp = digs.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > digs.d.length) prec = digs.d.length;
        return fmtE(neg, digs, prec - 1, fmt === "G" ? "E" : "e");
      }
      if (prec > digs.dp) prec = digs.d.length;
      return fmtF(neg, digs, Math.max(prec - digs.dp, 0));
    }
  }
}
