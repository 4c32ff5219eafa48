/**
 * Lexer for Go text/template source, after Go 1.19's `parse/lex.go`. It is
 * a state machine whose states are functions returning the next state.
 * `nextItem` runs states on demand, so the parser pulls one token at a time.
 * A lexing error is an `Error` token, which the parser reports where it reads it.
 *
 * Positions are indexes into the JavaScript string (UTF-16 code units). The
 * error helpers convert them to Go's byte columns where a message needs them.
 */

import { goQuote, isPrintRune } from "./quote.js";

/** ItemType is the kind of a token. Keywords come after `Keyword`, so "is a keyword" is one comparison. */
export enum ItemType {
  Error,
  Bool,
  Char,
  CharConstant,
  Comment,
  Complex,
  Assign,
  Declare,
  EOF,
  Field,
  Identifier,
  LeftDelim,
  LeftParen,
  Number,
  Pipe,
  RawString,
  RightDelim,
  RightParen,
  Space,
  String,
  Text,
  Variable,
  Keyword,
  Block,
  Break,
  Continue,
  Dot,
  Define,
  Else,
  End,
  If,
  Nil,
  Range,
  Template,
  With,
}

/** Item is one token: its kind, start offset, text and the line it starts on. */
export interface Item {
  type: ItemType;
  pos: number;
  val: string;
  line: number;
}

const KEYWORDS: ReadonlyMap<string, ItemType> = new Map([
  [".", ItemType.Dot],
  ["block", ItemType.Block],
  ["break", ItemType.Break],
  ["continue", ItemType.Continue],
  ["define", ItemType.Define],
  ["else", ItemType.Else],
  ["end", ItemType.End],
  ["if", ItemType.If],
  ["range", ItemType.Range],
  ["nil", ItemType.Nil],
  ["template", ItemType.Template],
  ["with", ItemType.With],
]);

const EOF = -1;
const LEFT_DELIM = "{{";
const RIGHT_DELIM = "}}";
const LEFT_COMMENT = "/*";
const RIGHT_COMMENT = "*/";
const TRIM_MARKER_LEN = 2; // the marker plus the space on its outer side
const NO_DELIM = 0;
const DELIM = 1;
const DELIM_TRIM = 2;

type StateFn = ((l: Lexer) => StateFn) | null;

/** Lexer turns template source into items, one `nextItem` call at a time. */
export class Lexer {
  private pos = 0;
  private start = 0;
  private atEOF = false;
  private parenDepth = 0;
  private line = 1;
  private startLine = 1;
  private state: StateFn = lexText;
  private readonly pending: Item[] = [];

  constructor(
    readonly input: string,
    readonly breakOK: boolean,
    readonly continueOK: boolean,
  ) {}

  /** Runs states until one emits an item; after the end it keeps returning EOF (or the error). */
  nextItem(): Item {
    while (this.pending.length === 0) {
      if (this.state === null) {
        return { type: ItemType.EOF, pos: this.pos, val: "", line: this.line };
      }
      this.state = this.state(this);
    }
    return this.pending.shift()!;
  }

  next(): number {
    if (this.pos >= this.input.length) {
      this.atEOF = true;
      return EOF;
    }
    let r = this.input.charCodeAt(this.pos);
    if (r >= 0xd800 && r <= 0xdbff) r = this.input.codePointAt(this.pos)!;
    this.pos += r > 0xffff ? 2 : 1;
    if (r === 10) this.line++;
    return r;
  }

  peek(): number {
    const r = this.next();
    this.backup();
    return r;
  }

  backup(): void {
    if (!this.atEOF && this.pos > 0) {
      const low = this.input.charCodeAt(this.pos - 1);
      const isPair =
        low >= 0xdc00 &&
        low <= 0xdfff &&
        this.pos >= 2 &&
        this.input.charCodeAt(this.pos - 2) >= 0xd800 &&
        this.input.charCodeAt(this.pos - 2) <= 0xdbff;
      this.pos -= isPair ? 2 : 1;
      if (low === 10) this.line--;
    }
  }

  emit(type: ItemType): void {
    this.pending.push({
      type,
      pos: this.start,
      val: this.input.slice(this.start, this.pos),
      line: this.startLine,
    });
    this.start = this.pos;
    this.startLine = this.line;
  }

  ignore(): void {
    this.line += countNewlines(this.input, this.start, this.pos);
    this.start = this.pos;
    this.startLine = this.line;
  }

  accept(valid: string): boolean {
    const r = this.next();
    if (r !== EOF && r < 0x80 && valid.includes(String.fromCharCode(r))) return true;
    this.backup();
    return false;
  }

  acceptRun(valid: string): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || r >= 0x80 || !valid.includes(String.fromCharCode(r))) break;
    }
    this.backup();
  }

  /** Emits an error item and stops the scan. */
  errorf(message: string): StateFn {
    this.pending.push({
      type: ItemType.Error,
      pos: this.start,
      val: message,
      line: this.startLine,
    });
    this.state = null;
    return null;
  }

  /** Returns NO_DELIM, DELIM, or DELIM_TRIM when the right delimiter follows with a trim marker. */
  atRightDelim(): number {
    if (
      hasRightTrimMarker(this.input, this.pos) &&
      this.input.startsWith(RIGHT_DELIM, this.pos + TRIM_MARKER_LEN)
    ) {
      return DELIM_TRIM;
    }
    if (this.input.startsWith(RIGHT_DELIM, this.pos)) return DELIM;
    return NO_DELIM;
  }

  /** Reports whether the input is at a character that may follow an identifier. */
  atTerminator(): boolean {
    const r = this.peek();
    if (isSpace(r)) return true;
    switch (r) {
      case EOF:
      case 0x2e: // .
      case 0x2c: // ,
      case 0x7c: // |
      case 0x3a: // :
      case 0x29: // )
      case 0x28: // (
        return true;
    }
    return this.input.startsWith(RIGHT_DELIM, this.pos);
  }

  // The state functions below reach into the lexer's fields directly.
  static lexText(l: Lexer): StateFn {
    const x = l.input.indexOf(LEFT_DELIM, l.pos);
    if (x >= 0) {
      l.pos = x;
      let trimLength = 0;
      if (hasLeftTrimMarker(l.input, l.pos + LEFT_DELIM.length)) {
        trimLength = rightTrimLength(l.input, l.start, l.pos);
      }
      l.pos -= trimLength;
      if (l.pos > l.start) {
        l.line += countNewlines(l.input, l.start, l.pos);
        l.emit(ItemType.Text);
      }
      l.pos += trimLength;
      l.ignore();
      return lexLeftDelim;
    }
    l.pos = l.input.length;
    if (l.pos > l.start) {
      l.line += countNewlines(l.input, l.start, l.pos);
      l.emit(ItemType.Text);
    }
    l.emit(ItemType.EOF);
    return null;
  }

  static lexLeftDelim(l: Lexer): StateFn {
    l.pos += LEFT_DELIM.length;
    const trimSpace = hasLeftTrimMarker(l.input, l.pos);
    const afterMarker = trimSpace ? TRIM_MARKER_LEN : 0;
    if (l.input.startsWith(LEFT_COMMENT, l.pos + afterMarker)) {
      l.pos += afterMarker;
      l.ignore();
      return lexComment;
    }
    l.emit(ItemType.LeftDelim);
    l.pos += afterMarker;
    l.ignore();
    l.parenDepth = 0;
    return lexInsideAction;
  }

  static lexComment(l: Lexer): StateFn {
    l.pos += LEFT_COMMENT.length;
    const i = l.input.indexOf(RIGHT_COMMENT, l.pos);
    if (i < 0) return l.errorf("unclosed comment");
    l.pos = i + RIGHT_COMMENT.length;
    const delim = l.atRightDelim();
    if (delim === NO_DELIM) return l.errorf("comment ends before closing delimiter");
    const trimSpaces = delim === DELIM_TRIM;
    if (trimSpaces) l.pos += TRIM_MARKER_LEN;
    l.pos += RIGHT_DELIM.length;
    if (trimSpaces) l.pos += leftTrimLength(l.input, l.pos);
    l.ignore();
    return lexText;
  }

  static lexRightDelim(l: Lexer): StateFn {
    const trimSpace = hasRightTrimMarker(l.input, l.pos);
    if (trimSpace) {
      l.pos += TRIM_MARKER_LEN;
      l.ignore();
    }
    l.pos += RIGHT_DELIM.length;
    l.emit(ItemType.RightDelim);
    if (trimSpace) {
      l.pos += leftTrimLength(l.input, l.pos);
      l.ignore();
    }
    return lexText;
  }

  static lexInsideAction(l: Lexer): StateFn {
    if (l.atRightDelim() !== NO_DELIM) {
      if (l.parenDepth === 0) return lexRightDelim;
      return l.errorf("unclosed left paren");
    }
    const r = l.next();
    if (r === EOF) return l.errorf("unclosed action");
    if (isSpace(r)) {
      l.backup(); // Put the space back in case it starts " -}}".
      return lexSpace;
    }
    switch (r) {
      case 0x3d: // =
        l.emit(ItemType.Assign);
        return lexInsideAction;
      case 0x3a: // :
        if (l.next() !== 0x3d) return l.errorf("expected :=");
        l.emit(ItemType.Declare);
        return lexInsideAction;
      case 0x7c: // |
        l.emit(ItemType.Pipe);
        return lexInsideAction;
      case 0x22: // "
        return lexQuote;
      case 0x60: // `
        return lexRawQuote;
      case 0x24: // $
        return lexVariable;
      case 0x27: // '
        return lexChar;
      case 0x28: // (
        l.emit(ItemType.LeftParen);
        l.parenDepth++;
        return lexInsideAction;
      case 0x29: // )
        l.emit(ItemType.RightParen);
        l.parenDepth--;
        if (l.parenDepth < 0) return l.errorf(`unexpected right paren ${formatSharpU(r)}`);
        return lexInsideAction;
    }
    if (r === 0x2e) {
      // A "." followed by a non-digit starts a field; ".5" is a number.
      if (l.pos < l.input.length) {
        const c = l.input.charCodeAt(l.pos);
        if (c < 0x30 || c > 0x39) return lexField;
      }
      l.backup();
      return lexNumber;
    }
    if (r === 0x2b || r === 0x2d || (r >= 0x30 && r <= 0x39)) {
      l.backup();
      return lexNumber;
    }
    if (isAlphaNumeric(r)) {
      l.backup();
      return lexIdentifier;
    }
    if (r <= 0x7f && r >= 0x20 && r !== 0x7f) {
      l.emit(ItemType.Char);
      return lexInsideAction;
    }
    return l.errorf(`unrecognized character in action: ${formatSharpU(r)}`);
  }

  static lexSpace(l: Lexer): StateFn {
    let numSpaces = 0;
    for (;;) {
      const r = l.peek();
      if (!isSpace(r)) break;
      l.next();
      numSpaces++;
    }
    // A trim-marked right delimiter starts with a space: leave it for lexRightDelim.
    if (
      hasRightTrimMarker(l.input, l.pos - 1) &&
      l.input.startsWith(RIGHT_DELIM, l.pos - 1 + TRIM_MARKER_LEN)
    ) {
      l.backup();
      if (numSpaces === 1) return lexRightDelim;
    }
    l.emit(ItemType.Space);
    return lexInsideAction;
  }

  static lexIdentifier(l: Lexer): StateFn {
    for (;;) {
      const r = l.next();
      if (isAlphaNumeric(r)) continue;
      l.backup();
      const word = l.input.slice(l.start, l.pos);
      if (!l.atTerminator()) return l.errorf(`bad character ${formatSharpU(r)}`);
      const keyword = KEYWORDS.get(word);
      if (keyword !== undefined && keyword > ItemType.Keyword) {
        if (
          (keyword === ItemType.Break && !l.breakOK) ||
          (keyword === ItemType.Continue && !l.continueOK)
        ) {
          l.emit(ItemType.Identifier);
        } else {
          l.emit(keyword);
        }
      } else if (word[0] === ".") {
        l.emit(ItemType.Field);
      } else if (word === "true" || word === "false") {
        l.emit(ItemType.Bool);
      } else {
        l.emit(ItemType.Identifier);
      }
      return lexInsideAction;
    }
  }

  static lexField(l: Lexer): StateFn {
    return lexFieldOrVariable(l, ItemType.Field);
  }

  static lexVariable(l: Lexer): StateFn {
    if (l.atTerminator()) {
      l.emit(ItemType.Variable);
      return lexInsideAction;
    }
    return lexFieldOrVariable(l, ItemType.Variable);
  }

  static lexFieldOrVariable(l: Lexer, type: ItemType): StateFn {
    if (l.atTerminator()) {
      l.emit(type === ItemType.Variable ? ItemType.Variable : ItemType.Dot);
      return lexInsideAction;
    }
    let r: number;
    for (;;) {
      r = l.next();
      if (!isAlphaNumeric(r)) {
        l.backup();
        break;
      }
    }
    if (!l.atTerminator()) return l.errorf(`bad character ${formatSharpU(r)}`);
    l.emit(type);
    return lexInsideAction;
  }

  static lexChar(l: Lexer): StateFn {
    for (;;) {
      let r = l.next();
      if (r === 0x5c) {
        r = l.next();
        if (r !== EOF && r !== 10) continue;
        return l.errorf("unterminated character constant");
      }
      if (r === EOF || r === 10) return l.errorf("unterminated character constant");
      if (r === 0x27) break;
    }
    l.emit(ItemType.CharConstant);
    return lexInsideAction;
  }

  /**
   * Scans a number. Like Go's, it accepts some invalid forms ("089", "0x0.2");
   * the parser rejects those when it converts the text.
   */
  static lexNumber(l: Lexer): StateFn {
    if (!l.scanNumber())
      return l.errorf(`bad number syntax: ${goQuote(l.input.slice(l.start, l.pos))}`);
    const sign = l.peek();
    if (sign === 0x2b || sign === 0x2d) {
      // Complex: 1+2i, without spaces and ending in 'i'.
      if (!l.scanNumber() || l.input[l.pos - 1] !== "i") {
        return l.errorf(`bad number syntax: ${goQuote(l.input.slice(l.start, l.pos))}`);
      }
      l.emit(ItemType.Complex);
    } else {
      l.emit(ItemType.Number);
    }
    return lexInsideAction;
  }

  scanNumber(): boolean {
    this.accept("+-");
    let digits = "0123456789_";
    if (this.accept("0")) {
      if (this.accept("xX")) digits = "0123456789abcdefABCDEF_";
      else if (this.accept("oO")) digits = "01234567_";
      else if (this.accept("bB")) digits = "01_";
    }
    this.acceptRun(digits);
    if (this.accept(".")) this.acceptRun(digits);
    if (digits.length === 11 && this.accept("eE")) {
      this.accept("+-");
      this.acceptRun("0123456789_");
    }
    if (digits.length === 23 && this.accept("pP")) {
      this.accept("+-");
      this.acceptRun("0123456789_");
    }
    this.accept("i");
    if (isAlphaNumeric(this.peek())) {
      this.next();
      return false;
    }
    return true;
  }

  static lexQuote(l: Lexer): StateFn {
    for (;;) {
      let r = l.next();
      if (r === 0x5c) {
        r = l.next();
        if (r !== EOF && r !== 10) continue;
        return l.errorf("unterminated quoted string");
      }
      if (r === EOF || r === 10) return l.errorf("unterminated quoted string");
      if (r === 0x22) break;
    }
    l.emit(ItemType.String);
    return lexInsideAction;
  }

  static lexRawQuote(l: Lexer): StateFn {
    for (;;) {
      const r = l.next();
      if (r === EOF) return l.errorf("unterminated raw quoted string");
      if (r === 0x60) break;
    }
    l.emit(ItemType.RawString);
    return lexInsideAction;
  }
}

const lexText = Lexer.lexText;
const lexLeftDelim = Lexer.lexLeftDelim;
const lexComment = Lexer.lexComment;
const lexRightDelim = Lexer.lexRightDelim;
const lexInsideAction = Lexer.lexInsideAction;
const lexSpace = Lexer.lexSpace;
const lexIdentifier = Lexer.lexIdentifier;
const lexField = Lexer.lexField;
const lexVariable = Lexer.lexVariable;
const lexFieldOrVariable = Lexer.lexFieldOrVariable;
const lexChar = Lexer.lexChar;
const lexNumber = Lexer.lexNumber;
const lexQuote = Lexer.lexQuote;
const lexRawQuote = Lexer.lexRawQuote;

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = s.indexOf("\n", from); i >= 0 && i < to; i = s.indexOf("\n", i + 1)) n++;
  return n;
}

function isSpaceCode(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/** Reports whether r is one of the ASCII spaces Go's lexer accepts between arguments. */
export function isSpace(r: number): boolean {
  return isSpaceCode(r);
}

const LETTER_OR_DIGIT = /[\p{L}\p{Nd}]/u;

/** Reports whether r is a letter, a decimal digit or an underscore (Go's unicode.IsLetter/IsDigit). */
export function isAlphaNumeric(r: number): boolean {
  if (r < 0) return false;
  if (r < 0x80) {
    return (
      r === 0x5f || (r >= 0x30 && r <= 0x39) || (r >= 0x41 && r <= 0x5a) || (r >= 0x61 && r <= 0x7a)
    );
  }
  return LETTER_OR_DIGIT.test(String.fromCodePoint(r));
}

function hasLeftTrimMarker(s: string, at: number): boolean {
  return s.length - at >= 2 && s.charCodeAt(at) === 0x2d && isSpaceCode(s.charCodeAt(at + 1));
}

function hasRightTrimMarker(s: string, at: number): boolean {
  return s.length - at >= 2 && isSpaceCode(s.charCodeAt(at)) && s.charCodeAt(at + 1) === 0x2d;
}

function rightTrimLength(s: string, from: number, to: number): number {
  let i = to;
  while (i > from && isSpaceCode(s.charCodeAt(i - 1))) i--;
  return to - i;
}

function leftTrimLength(s: string, from: number): number {
  let i = from;
  while (i < s.length && isSpaceCode(s.charCodeAt(i))) i++;
  return i - from;
}

/** Formats a rune as Go's `%#U` does: `U+0041 'A'`. */
export function formatSharpU(r: number): string {
  const hex = r.toString(16).toUpperCase().padStart(4, "0");
  if (r >= 0 && isPrintRune(r)) return `U+${hex} '${String.fromCodePoint(r)}'`;
  return `U+${hex}`;
}
