/**
 * Parse tree of a Go template: one class per construct, each with its start
 * offset in the source and a `toString()` that prints it back as template
 * source, which is what execution errors quote (`at <.Foo>`).
 */

import { goQuote } from "./quote.js";
import type { GoValue } from "./values.js";

/** NodeType is the kind of a node. */
export enum NodeType {
  Text,
  Action,
  Bool,
  Chain,
  Command,
  Dot,
  Else,
  End,
  Field,
  Identifier,
  If,
  List,
  Nil,
  Number,
  Pipe,
  Range,
  String,
  Template,
  Variable,
  With,
  Comment,
  Break,
  Continue,
}

/** Node is any element of the tree. */
export type Node =
  | TextNode
  | ActionNode
  | BoolNode
  | ChainNode
  | CommandNode
  | DotNode
  | ElseNode
  | EndNode
  | FieldNode
  | IdentifierNode
  | IfNode
  | ListNode
  | NilNode
  | NumberNode
  | PipeNode
  | RangeNode
  | StringNode
  | TemplateNode
  | VariableNode
  | WithNode
  | CommentNode
  | BreakNode
  | ContinueNode;

/** ListNode is a sequence of nodes. */
export class ListNode {
  readonly type = NodeType.List;
  readonly nodes: Node[] = [];
  constructor(readonly pos: number) {}
  toString(): string {
    return this.nodes.map(String).join("");
  }
}

/** TextNode is plain text outside actions. */
export class TextNode {
  readonly type = NodeType.Text;
  constructor(
    readonly pos: number,
    readonly text: string,
  ) {}
  toString(): string {
    return this.text;
  }
}

/** CommentNode is a `{{/* ... * /}}` comment (only kept when comments are parsed). */
export class CommentNode {
  readonly type = NodeType.Comment;
  constructor(
    readonly pos: number,
    readonly text: string,
  ) {}
  toString(): string {
    return `{{${this.text}}}`;
  }
}

/** PipeNode is a pipeline with optional variable declarations or assignments. */
export class PipeNode {
  readonly type = NodeType.Pipe;
  isAssign = false;
  readonly decl: VariableNode[] = [];
  readonly cmds: CommandNode[] = [];
  constructor(
    readonly pos: number,
    readonly line: number,
  ) {}
  toString(): string {
    let s = "";
    if (this.decl.length > 0) s = `${this.decl.map(String).join(", ")} := `;
    return s + this.cmds.map(String).join(" | ");
  }
}

/** ActionNode is a non-control action such as `{{.Rev}}`. */
export class ActionNode {
  readonly type = NodeType.Action;
  constructor(
    readonly pos: number,
    readonly line: number,
    readonly pipe: PipeNode,
  ) {}
  toString(): string {
    return `{{${this.pipe}}}`;
  }
}

/** CommandNode is one element of a pipeline: an operand followed by arguments. */
export class CommandNode {
  readonly type = NodeType.Command;
  readonly args: Node[] = [];
  constructor(readonly pos: number) {}
  toString(): string {
    return this.args
      .map((arg) => (arg.type === NodeType.Pipe ? `(${arg})` : String(arg)))
      .join(" ");
  }
}

/** IdentifierNode names a function. */
export class IdentifierNode {
  readonly type = NodeType.Identifier;
  constructor(
    readonly pos: number,
    readonly ident: string,
  ) {}
  toString(): string {
    return this.ident;
  }
}

/** VariableNode is `$`, `$x` or `$x.Field.Chain`. */
export class VariableNode {
  readonly type = NodeType.Variable;
  readonly ident: string[];
  constructor(
    readonly pos: number,
    name: string,
  ) {
    this.ident = name.split(".");
  }
  toString(): string {
    return this.ident.join(".");
  }
}

/** DotNode is the cursor, `.`. */
export class DotNode {
  readonly type = NodeType.Dot;
  constructor(readonly pos: number) {}
  toString(): string {
    return ".";
  }
}

/** NilNode is the untyped `nil`. */
export class NilNode {
  readonly type = NodeType.Nil;
  constructor(readonly pos: number) {}
  toString(): string {
    return "nil";
  }
}

/** FieldNode is `.Field` or `.Field.Chain`, looked up on dot. */
export class FieldNode {
  readonly type = NodeType.Field;
  readonly ident: string[];
  constructor(
    readonly pos: number,
    text: string,
  ) {
    this.ident = text.slice(1).split(".");
  }
  toString(): string {
    return this.ident.map((id) => `.${id}`).join("");
  }
}

/** ChainNode is a term followed by field accesses, such as `(now).Year` or `$x.A.B` on a pipeline. */
export class ChainNode {
  readonly type = NodeType.Chain;
  readonly fields: string[] = [];
  constructor(
    readonly pos: number,
    readonly node: Node,
  ) {}
  add(field: string): void {
    this.fields.push(field.slice(1));
  }
  toString(): string {
    const head = this.node.type === NodeType.Pipe ? `(${this.node})` : String(this.node);
    return head + this.fields.map((f) => `.${f}`).join("");
  }
}

/** BoolNode is `true` or `false`. */
export class BoolNode {
  readonly type = NodeType.Bool;
  constructor(
    readonly pos: number,
    readonly value: boolean,
  ) {}
  toString(): string {
    return this.value ? "true" : "false";
  }
}

/**
 * NumberNode is a numeric constant. Like Go, it records every interpretation
 * the text allows (int, uint, float, complex); the context picks one.
 */
export class NumberNode {
  readonly type = NodeType.Number;
  isInt = false;
  isUint = false;
  isFloat = false;
  isComplex = false;
  int64 = 0n;
  uint64 = 0n;
  float64 = 0;
  complexRe = 0;
  complexIm = 0;
  /** The value the literal has where no parameter type applies, cached by the executor. */
  ideal: GoValue | undefined;
  constructor(
    readonly pos: number,
    readonly text: string,
  ) {}
  toString(): string {
    return this.text;
  }
}

/** StringNode is a quoted or raw string constant. */
export class StringNode {
  readonly type = NodeType.String;
  constructor(
    readonly pos: number,
    readonly quoted: string,
    readonly text: string,
  ) {}
  toString(): string {
    return this.quoted;
  }
}

/** EndNode is `{{end}}`; the parser consumes it and never adds it to a tree. */
export class EndNode {
  readonly type = NodeType.End;
  constructor(readonly pos: number) {}
  toString(): string {
    return "{{end}}";
  }
}

/** ElseNode is `{{else}}`; the parser consumes it and never adds it to a tree. */
export class ElseNode {
  readonly type = NodeType.Else;
  constructor(
    readonly pos: number,
    readonly line: number,
  ) {}
  toString(): string {
    return "{{else}}";
  }
}

abstract class BranchNode {
  constructor(
    readonly pos: number,
    readonly line: number,
    readonly pipe: PipeNode,
    readonly list: ListNode,
    readonly elseList: ListNode | null,
  ) {}
  protected abstract get keyword(): string;
  toString(): string {
    const elsePart = this.elseList ? `{{else}}${this.elseList}` : "";
    return `{{${this.keyword} ${this.pipe}}}${this.list}${elsePart}{{end}}`;
  }
}

/** IfNode is `{{if}}` with an optional `{{else}}`. */
export class IfNode extends BranchNode {
  readonly type = NodeType.If;
  protected get keyword(): string {
    return "if";
  }
}

/** RangeNode is `{{range}}` with an optional `{{else}}`. */
export class RangeNode extends BranchNode {
  readonly type = NodeType.Range;
  protected get keyword(): string {
    return "range";
  }
}

/** WithNode is `{{with}}` with an optional `{{else}}`. */
export class WithNode extends BranchNode {
  readonly type = NodeType.With;
  protected get keyword(): string {
    return "with";
  }
}

/** BreakNode is `{{break}}` inside a range. */
export class BreakNode {
  readonly type = NodeType.Break;
  constructor(
    readonly pos: number,
    readonly line: number,
  ) {}
  toString(): string {
    return "{{break}}";
  }
}

/** ContinueNode is `{{continue}}` inside a range. */
export class ContinueNode {
  readonly type = NodeType.Continue;
  constructor(
    readonly pos: number,
    readonly line: number,
  ) {}
  toString(): string {
    return "{{continue}}";
  }
}

/** TemplateNode is `{{template "name" pipeline}}`, also produced by `{{block}}`. */
export class TemplateNode {
  readonly type = NodeType.Template;
  constructor(
    readonly pos: number,
    readonly line: number,
    readonly name: string,
    readonly pipe: PipeNode | null,
  ) {}
  toString(): string {
    const pipe = this.pipe ? ` ${this.pipe}` : "";
    return `{{template ${goQuote(this.name)}${pipe}}}`;
  }
}
