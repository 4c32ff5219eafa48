/**
 * Recursive-descent parser for Go templates, following Go 1.19's
 * `parse/parse.go`: one method per production (the production is in the
 * comment above it), three tokens of lookahead, and one `unexpected` helper
 * that words every syntax error the way Go does.
 */

import { positionOf, TemplateParseError, withoutStack } from "./errors.js";
import { sprintf } from "./fmt.js";
import { type Item, ItemType, Lexer } from "./lexer.js";
import {
  ActionNode,
  BoolNode,
  BreakNode,
  ChainNode,
  CommandNode,
  CommentNode,
  ContinueNode,
  DotNode,
  ElseNode,
  EndNode,
  FieldNode,
  IdentifierNode,
  IfNode,
  ListNode,
  NilNode,
  type Node,
  NodeType,
  NumberNode,
  PipeNode,
  RangeNode,
  StringNode,
  TemplateNode,
  TextNode,
  VariableNode,
  WithNode,
} from "./node.js";
import { GoSyntaxError, goQuote, goUnquote, unquoteChar } from "./quote.js";
import { floatToInt64, parseGoComplex, parseGoFloat, parseGoInteger } from "./strconv.js";
import type { GoValue } from "./values.js";

/** Trees maps each template name defined in one source to its root list. */
export type TreeSet = Map<string, ListNode>;

/** Parses `text` as template `name` and returns every template it defines, `name` included. */
export function parseTrees(name: string, text: string, functions: ReadonlySet<string>): TreeSet {
  const lexer = new Lexer(text, !functions.has("break"), !functions.has("continue"));
  const treeSet: TreeSet = new Map();
  const tree = new Tree(name, name, text, lexer, functions, treeSet);
  tree.parse();
  tree.add();
  return treeSet;
}

const UINT64_MAX_FLOAT = 2 ** 64;

class Tree {
  root: ListNode | null = null;
  private readonly token: Item[] = [];
  private peekCount = 0;
  private vars: string[] = ["$"];
  private actionLine = 0;
  private rangeDepth = 0;

  constructor(
    private name: string,
    private readonly parseName: string,
    private readonly text: string,
    private readonly lex: Lexer,
    private readonly functions: ReadonlySet<string>,
    private readonly treeSet: TreeSet,
  ) {}

  // Token plumbing.

  private next(): Item {
    if (this.peekCount > 0) this.peekCount--;
    else this.token[0] = this.lex.nextItem();
    return this.token[this.peekCount]!;
  }

  private backup(): void {
    this.peekCount++;
  }

  private backup2(t1: Item): void {
    this.token[1] = t1;
    this.peekCount = 2;
  }

  private backup3(t2: Item, t1: Item): void {
    this.token[1] = t1;
    this.token[2] = t2;
    this.peekCount = 3;
  }

  private peek(): Item {
    if (this.peekCount > 0) return this.token[this.peekCount - 1]!;
    this.peekCount = 1;
    this.token[0] = this.lex.nextItem();
    return this.token[0];
  }

  private nextNonSpace(): Item {
    let token: Item;
    do token = this.next();
    while (token.type === ItemType.Space);
    return token;
  }

  private peekNonSpace(): Item {
    const token = this.nextNonSpace();
    this.backup();
    return token;
  }

  // Errors.

  /**
   * Throws a parse error naming the line of the most recently read token, as
   * Go does. The name is spliced into the format unescaped, as in Go.
   */
  errorf(format: string, ...args: GoValue[]): never {
    this.root = null;
    const current = this.token[0];
    const line = current?.line ?? 1;
    let column: number | undefined;
    if (current) {
      const position = positionOf(this.text, current.pos);
      if (position.line === line) column = position.column;
    }
    const message = sprintf(`template: ${this.parseName}:${line}: ${format}`, args);
    throw withoutStack(() => new TemplateParseError(message, line, column));
  }

  private expect(expected: ItemType, context: string): Item {
    const token = this.nextNonSpace();
    if (token.type !== expected) this.unexpected(token, context);
    return token;
  }

  private expectOneOf(expected1: ItemType, expected2: ItemType, context: string): Item {
    const token = this.nextNonSpace();
    if (token.type !== expected1 && token.type !== expected2) this.unexpected(token, context);
    return token;
  }

  private unexpected(token: Item, context: string): never {
    if (token.type === ItemType.Error) {
      let extra = "";
      if (this.actionLine !== 0 && this.actionLine !== token.line) {
        extra = ` in action started at ${this.parseName}:${this.actionLine}`;
        if (token.val.endsWith(" action")) extra = extra.slice(" in action".length);
      }
      this.errorf("%s%s", token.val, extra);
    }
    this.errorf("unexpected %s in %s", itemString(token), context);
  }

  /** Installs this tree in the set unless a non-empty one of the same name is there. */
  add(): void {
    const existing = this.treeSet.get(this.name);
    if (existing === undefined || isEmptyTree(existing)) {
      this.treeSet.set(this.name, this.root!);
      return;
    }
    if (!isEmptyTree(this.root!)) {
      this.errorf("template: multiple definition of template %q", this.name);
    }
  }

  // Productions.

  /** parse: the top level, like itemList but also accepting {{define}}, up to EOF. */
  parse(): void {
    this.root = new ListNode(this.peek().pos);
    while (this.peek().type !== ItemType.EOF) {
      if (this.peek().type === ItemType.LeftDelim) {
        const delim = this.next();
        if (this.nextNonSpace().type === ItemType.Define) {
          const definition = new Tree(
            "definition",
            this.parseName,
            this.text,
            this.lex,
            this.functions,
            this.treeSet,
          );
          definition.parseDefinition();
          continue;
        }
        this.backup2(delim);
      }
      const n = this.textOrAction();
      if (n.type === NodeType.End || n.type === NodeType.Else)
        this.errorf("unexpected %s", String(n));
      this.root.nodes.push(n);
    }
  }

  /** definition: {{define "name"}} itemList {{end}}, with "define" already read. */
  private parseDefinition(): void {
    const context = "define clause";
    const name = this.expectOneOf(ItemType.String, ItemType.RawString, context);
    this.name = this.unquote(name.val);
    this.expect(ItemType.RightDelim, context);
    const [list, end] = this.itemList();
    this.root = list;
    if (end.type !== NodeType.End) this.errorf("unexpected %s in %s", String(end), context);
    this.add();
  }

  /** itemList: textOrAction*, ended by {{end}} or {{else}}, which is returned separately. */
  private itemList(): [ListNode, Node] {
    const list = new ListNode(this.peekNonSpace().pos);
    while (this.peekNonSpace().type !== ItemType.EOF) {
      const n = this.textOrAction();
      if (n.type === NodeType.End || n.type === NodeType.Else) return [list, n];
      list.nodes.push(n);
    }
    this.errorf("unexpected EOF");
  }

  /** textOrAction: text | comment | action */
  private textOrAction(): Node {
    const token = this.nextNonSpace();
    switch (token.type) {
      case ItemType.Text:
        return new TextNode(token.pos, token.val);
      case ItemType.LeftDelim:
        this.actionLine = token.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      case ItemType.Comment:
        return new CommentNode(token.pos, token.val);
      default:
        this.unexpected(token, "input");
    }
  }

  /** action: control | command ("|" command)*, with the left delimiter already read. */
  private action(): Node {
    const token = this.nextNonSpace();
    switch (token.type) {
      case ItemType.Block:
        return this.blockControl();
      case ItemType.Break:
        return this.breakControl(token.pos, token.line);
      case ItemType.Continue:
        return this.continueControl(token.pos, token.line);
      case ItemType.Else:
        return this.elseControl();
      case ItemType.End:
        return this.endControl();
      case ItemType.If:
        return this.ifControl();
      case ItemType.Range:
        return this.rangeControl();
      case ItemType.Template:
        return this.templateControl();
      case ItemType.With:
        return this.withControl();
    }
    this.backup();
    const first = this.peek();
    // Variables are not popped here: they live until the enclosing {{end}}.
    return new ActionNode(first.pos, first.line, this.pipeline("command", ItemType.RightDelim));
  }

  /** break: {{break}}, with "break" already read. */
  private breakControl(pos: number, line: number): Node {
    const token = this.nextNonSpace();
    if (token.type !== ItemType.RightDelim) this.unexpected(token, "{{break}}");
    if (this.rangeDepth === 0) this.errorf("{{break}} outside {{range}}");
    return new BreakNode(pos, line);
  }

  /** continue: {{continue}}, with "continue" already read. */
  private continueControl(pos: number, line: number): Node {
    const token = this.nextNonSpace();
    if (token.type !== ItemType.RightDelim) this.unexpected(token, "{{continue}}");
    if (this.rangeDepth === 0) this.errorf("{{continue}} outside {{range}}");
    return new ContinueNode(pos, line);
  }

  /** pipeline: declarations? command ('|' command)* */
  private pipeline(context: string, end: ItemType): PipeNode {
    const first = this.peekNonSpace();
    const pipe = new PipeNode(first.pos, first.line);
    this.declarations(pipe, context);
    for (;;) {
      const token = this.nextNonSpace();
      switch (token.type) {
        case end:
          this.checkPipeline(pipe, context);
          return pipe;
        case ItemType.Bool:
        case ItemType.CharConstant:
        case ItemType.Complex:
        case ItemType.Dot:
        case ItemType.Field:
        case ItemType.Identifier:
        case ItemType.Number:
        case ItemType.Nil:
        case ItemType.RawString:
        case ItemType.String:
        case ItemType.Variable:
        case ItemType.LeftParen:
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(token, context);
      }
    }
  }

  /** declarations: ($x ":=" | $x "=" | $i "," $x ":=")? at the start of a pipeline. */
  private declarations(pipe: PipeNode, context: string): void {
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== ItemType.Variable) return;
      this.next();
      // "$x foo" needs three tokens of lookahead to tell an argument from a declaration.
      const tokenAfterVariable = this.peek();
      const next = this.peekNonSpace();
      if (next.type === ItemType.Assign || next.type === ItemType.Declare) {
        pipe.isAssign = next.type === ItemType.Assign;
        this.nextNonSpace();
        pipe.decl.push(new VariableNode(v.pos, v.val));
        this.vars.push(v.val);
        return;
      }
      if (next.type === ItemType.Char && next.val === ",") {
        this.nextNonSpace();
        pipe.decl.push(new VariableNode(v.pos, v.val));
        this.vars.push(v.val);
        if (context === "range" && pipe.decl.length < 2) {
          const after = this.peekNonSpace().type;
          if (
            after === ItemType.Variable ||
            after === ItemType.RightDelim ||
            after === ItemType.RightParen
          ) {
            continue; // The second variable of a range.
          }
          this.errorf("range can only initialize variables");
        }
        this.errorf("too many declarations in %s", context);
      }
      if (tokenAfterVariable.type === ItemType.Space) this.backup3(v, tokenAfterVariable);
      else this.backup2(v);
      return;
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf("missing value for %s", context);
    // Only the first command of a pipeline may start with a non-executable operand.
    for (let i = 1; i < pipe.cmds.length; i++) {
      switch (pipe.cmds[i]!.args[0]!.type) {
        case NodeType.Bool:
        case NodeType.Dot:
        case NodeType.Nil:
        case NodeType.Number:
        case NodeType.String:
          this.errorf("non executable command in pipeline stage %d", i + 1);
      }
    }
  }

  private parseControl(
    allowElseIf: boolean,
    context: string,
  ): [number, number, PipeNode, ListNode, ListNode | null] {
    const mark = this.vars.length;
    try {
      const pipe = this.pipeline(context, ItemType.RightDelim);
      if (context === "range") this.rangeDepth++;
      let [list, next] = this.itemList();
      if (context === "range") this.rangeDepth--;
      let elseList: ListNode | null = null;
      if (next.type === NodeType.Else) {
        // "{{else if b}}" is read as "{{else}}{{if b}}...{{end}}" sharing the outer {{end}}.
        if (allowElseIf && this.peek().type === ItemType.If) {
          this.next();
          elseList = new ListNode(next.pos);
          elseList.nodes.push(this.ifControl());
        } else {
          [elseList, next] = this.itemList();
          if (next.type !== NodeType.End) this.errorf("expected end; found %s", String(next));
        }
      }
      return [pipe.pos, pipe.line, pipe, list, elseList];
    } finally {
      this.vars.length = mark;
    }
  }

  /** if: {{if pipeline}} itemList ({{else}} itemList)? {{end}} */
  private ifControl(): Node {
    return new IfNode(...this.parseControl(true, "if"));
  }

  /** range: {{range pipeline}} itemList ({{else}} itemList)? {{end}} */
  private rangeControl(): Node {
    return new RangeNode(...this.parseControl(false, "range"));
  }

  /** with: {{with pipeline}} itemList ({{else}} itemList)? {{end}} */
  private withControl(): Node {
    return new WithNode(...this.parseControl(false, "with"));
  }

  /** end: {{end}} */
  private endControl(): Node {
    return new EndNode(this.expect(ItemType.RightDelim, "end").pos);
  }

  /** else: {{else}}, or the start of {{else if ...}} */
  private elseControl(): Node {
    const peek = this.peekNonSpace();
    if (peek.type === ItemType.If) return new ElseNode(peek.pos, peek.line);
    const token = this.expect(ItemType.RightDelim, "else");
    return new ElseNode(token.pos, token.line);
  }

  /** block: {{block "name" pipeline}} itemList {{end}}, defining and invoking "name". */
  private blockControl(): Node {
    const context = "block clause";
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    const pipe = this.pipeline(context, ItemType.RightDelim);
    const block = new Tree(name, this.parseName, this.text, this.lex, this.functions, this.treeSet);
    const [list, end] = block.itemList();
    block.root = list;
    if (end.type !== NodeType.End) this.errorf("unexpected %s in %s", String(end), context);
    block.add();
    return new TemplateNode(token.pos, token.line, name, pipe);
  }

  /** template: {{template "name" pipeline?}} */
  private templateControl(): Node {
    const context = "template clause";
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().type !== ItemType.RightDelim) {
      this.backup();
      pipe = this.pipeline(context, ItemType.RightDelim);
    }
    return new TemplateNode(token.pos, token.line, name, pipe);
  }

  private parseTemplateName(token: Item, context: string): string {
    if (token.type === ItemType.String || token.type === ItemType.RawString) {
      return this.unquote(token.val);
    }
    this.unexpected(token, context);
  }

  /** command: operand (space operand)*, up to a pipe or the closing delimiter. */
  private command(): CommandNode {
    const cmd = new CommandNode(this.peekNonSpace().pos);
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand !== null) cmd.args.push(operand);
      const token = this.next();
      if (token.type === ItemType.Space) continue;
      if (token.type === ItemType.RightDelim || token.type === ItemType.RightParen) this.backup();
      else if (token.type !== ItemType.Pipe) this.unexpected(token, "operand");
      break;
    }
    if (cmd.args.length === 0) this.errorf("empty command");
    return cmd;
  }

  /** operand: term .Field* */
  private operand(): Node | null {
    let node = this.term();
    if (node === null) return null;
    if (this.peek().type === ItemType.Field) {
      const chain = new ChainNode(this.peek().pos, node);
      while (this.peek().type === ItemType.Field) chain.add(this.next().val);
      // Fields after a field or variable extend it; literals cannot have fields.
      switch (node.type) {
        case NodeType.Field:
          node = new FieldNode(chain.pos, chain.toString());
          break;
        case NodeType.Variable:
          node = new VariableNode(chain.pos, chain.toString());
          break;
        case NodeType.Bool:
        case NodeType.String:
        case NodeType.Number:
        case NodeType.Nil:
        case NodeType.Dot:
          return this.errorf("unexpected . after term %q", node.toString());
        default:
          node = chain;
      }
    }
    return node;
  }

  /** term: literal | function | . | .Field | $ | '(' pipeline ')' */
  private term(): Node | null {
    const token = this.nextNonSpace();
    switch (token.type) {
      case ItemType.Identifier:
        if (!this.functions.has(token.val)) {
          this.errorf("function %q not defined", token.val);
        }
        return new IdentifierNode(token.pos, token.val);
      case ItemType.Dot:
        return new DotNode(token.pos);
      case ItemType.Nil:
        return new NilNode(token.pos);
      case ItemType.Variable:
        return this.useVar(token.pos, token.val);
      case ItemType.Field:
        return new FieldNode(token.pos, token.val);
      case ItemType.Bool:
        return new BoolNode(token.pos, token.val === "true");
      case ItemType.CharConstant:
      case ItemType.Complex:
      case ItemType.Number:
        return this.newNumber(token.pos, token.val, token.type);
      case ItemType.LeftParen:
        return this.pipeline("parenthesized pipeline", ItemType.RightParen);
      case ItemType.String:
      case ItemType.RawString:
        return new StringNode(token.pos, token.val, this.unquote(token.val));
    }
    this.backup();
    return null;
  }

  private useVar(pos: number, name: string): Node {
    const v = new VariableNode(pos, name);
    if (!this.vars.includes(v.ident[0]!)) this.errorf("undefined variable %q", v.ident[0]!);
    return v;
  }

  private unquote(quoted: string): string {
    try {
      return goUnquote(quoted);
    } catch (error) {
      if (error instanceof GoSyntaxError) this.errorf("%s", error.message);
      throw error;
    }
  }

  /** Interprets a numeric literal in every way Go allows: int, uint, float, complex. */
  private newNumber(pos: number, text: string, type: ItemType): NumberNode {
    const n = new NumberNode(pos, text);
    if (type === ItemType.CharConstant) {
      let rune: number;
      let tail: string;
      try {
        ({ value: rune, tail } = unquoteChar(text.slice(1), text.charCodeAt(0)));
      } catch (error) {
        if (error instanceof GoSyntaxError) this.errorf("%s", error.message);
        throw error;
      }
      if (tail !== "'") this.errorf("malformed character constant: %s", text);
      n.int64 = BigInt(rune);
      n.isInt = true;
      n.uint64 = BigInt(rune);
      n.isUint = true;
      n.float64 = rune;
      n.isFloat = true;
      return n;
    }
    if (type === ItemType.Complex) {
      const c = parseGoComplex(text);
      if (typeof c === "string") this.errorf("%s", c);
      n.isComplex = true;
      n.complexRe = c.re;
      n.complexIm = c.im;
      simplifyComplex(n);
      return n;
    }
    if (/^(?:0|[1-9][0-9]{0,14})$/.test(text)) {
      // A plain decimal below 2^53, the usual case: every interpretation is exact.
      const value = BigInt(text);
      n.isInt = n.isUint = n.isFloat = true;
      n.int64 = n.uint64 = value;
      n.float64 = Number(text);
      return n;
    }
    if (text.endsWith("i")) {
      const f = parseGoFloat(text.slice(0, -1));
      if (f !== null) {
        n.isComplex = true;
        n.complexIm = f;
        simplifyComplex(n);
        return n;
      }
    }
    const u = parseGoInteger(text, true);
    if (u !== null) {
      n.isUint = true;
      n.uint64 = u;
    }
    const i = parseGoInteger(text, false);
    if (i !== null) {
      n.isInt = true;
      n.int64 = i;
      if (i === 0n) {
        n.isUint = true; // "-0" is a valid uint too.
        n.uint64 = 0n;
      }
    }
    if (n.isInt) {
      n.isFloat = true;
      n.float64 = Number(n.int64);
    } else if (n.isUint) {
      n.isFloat = true;
      n.float64 = Number(n.uint64);
    } else {
      const f = parseGoFloat(text);
      if (f !== null) {
        if (!/[.eEpP]/.test(text)) this.errorf("integer overflow: %q", text);
        n.isFloat = true;
        n.float64 = f;
        const asInt = floatToInt64(f);
        if (asInt !== null && Number(asInt) === f) {
          n.isInt = true;
          n.int64 = asInt;
        }
        if (f >= 0 && f < UINT64_MAX_FLOAT && Math.trunc(f) === f) {
          n.isUint = true;
          n.uint64 = BigInt(f);
        }
      }
    }
    if (!n.isInt && !n.isUint && !n.isFloat) this.errorf("illegal number syntax: %q", text);
    return n;
  }
}

function simplifyComplex(n: NumberNode): void {
  n.isFloat = n.complexIm === 0;
  if (n.isFloat) {
    const f = n.complexRe;
    n.float64 = f;
    const asInt = floatToInt64(f);
    n.isInt = asInt !== null && Number(asInt) === f;
    if (n.isInt) n.int64 = asInt!;
    n.isUint = f >= 0 && f < UINT64_MAX_FLOAT && Math.trunc(f) === f;
    if (n.isUint) n.uint64 = BigInt(f);
  }
}

/** Reports whether a tree contains nothing but space and comments. */
export function isEmptyTree(n: Node): boolean {
  switch (n.type) {
    case NodeType.Comment:
      return true;
    case NodeType.List:
      return n.nodes.every(isEmptyTree);
    case NodeType.Text:
      return n.text.trim() === "" && !/[^\s]/u.test(n.text);
    default:
      return false;
  }
}

/** Formats a token for an error message the way Go's item.String does. */
function itemString(item: Item): string {
  if (item.type === ItemType.EOF) return "EOF";
  if (item.type === ItemType.Error) return item.val;
  if (item.type > ItemType.Keyword) return `<${item.val}>`;
  const runes = [...item.val];
  if (Buffer.byteLength(item.val) > 10) return `${goQuote(runes.slice(0, 10).join(""))}...`;
  return goQuote(item.val);
}
