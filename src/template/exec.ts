/**
 * Executes a parsed template against data, following Go 1.19's `exec.go`.
 * Each execution gets its own `State` (current node, variable stack, depth),
 * so one parsed template can run any number of times.
 */

import { positionOf, TemplateExecError, withoutStack } from "./errors.js";
import { sprintf, sprintValue } from "./fmt.js";
import {
  BUILTINS,
  type CallEnv,
  GoError,
  type GoFunc,
  type GoType,
  goodFunc,
  methodsOf,
  POGO_FUNCS,
} from "./funcs.js";
import { GoTime } from "./gotime.js";
import {
  type ChainNode,
  type CommandNode,
  type FieldNode,
  type IdentifierNode,
  type ListNode,
  type Node,
  NodeType,
  type NumberNode,
  type PipeNode,
  type RangeNode,
  type TemplateNode,
  type VariableNode,
} from "./node.js";
import type { TreeSet } from "./parser.js";
import { GoComplex, GoNumber, GoStruct, type GoValue, goInt, isTrue, typeName } from "./values.js";

/**
 * MAX_EXEC_DEPTH is Go's limit on nested {{template}} calls, which turns
 * runaway recursion into an error. JavaScript's stack ends sooner; a stack
 * overflow inside {{template}} is reported with the same message.
 */
const MAX_EXEC_DEPTH = 100000;

/**
 * MAX_OUTPUT_LENGTH caps what one execution writes, in UTF-16 code units.
 * Go has no cap, but a config that renders to gigabytes would take the
 * server's memory with it; a CI config value is far smaller.
 */
export const MAX_OUTPUT_LENGTH = 4 * 1024 * 1024;

/** Reports whether `error` is V8 running out of stack, not some other RangeError. */
export function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && error.message.includes("call stack");
}

/** MISSING marks "no value from a previous pipeline stage", as Go's missingVal does. */
const MISSING: unique symbol = Symbol("missing");
type Final = GoValue | typeof MISSING;

enum Flow {
  Normal,
  Break,
  Continue,
}

/** Source facts the executor needs for error positions. */
export interface ExecSource {
  readonly parseName: string;
  readonly text: string;
  readonly trees: TreeSet;
}

/** State is one execution: output, current node, variables and template depth. */
export class State {
  out = "";
  private node: Node | null = null;
  private readonly varNames: string[] = [];
  private readonly varValues: GoValue[] = [];
  private depth = 0;

  constructor(
    private readonly source: ExecSource,
    private tmplName: string,
    private readonly env: CallEnv,
  ) {}

  /** Runs the named tree with `data` as dot and `$`. */
  run(root: ListNode, data: GoValue): string {
    this.push("$", data);
    this.walk(data, root);
    return this.out;
  }

  // Variables.

  private push(name: string, value: GoValue): void {
    this.varNames.push(name);
    this.varValues.push(value);
  }

  private mark(): number {
    return this.varNames.length;
  }

  private pop(mark: number): void {
    this.varNames.length = mark;
    this.varValues.length = mark;
  }

  private setVar(name: string, value: GoValue): void {
    for (let i = this.varNames.length - 1; i >= 0; i--) {
      if (this.varNames[i] === name) {
        this.varValues[i] = value;
        return;
      }
    }
    this.errorf("undefined variable: %s", name);
  }

  private varValue(name: string): GoValue {
    for (let i = this.varNames.length - 1; i >= 0; i--) {
      if (this.varNames[i] === name) return this.varValues[i];
    }
    return this.errorf("undefined variable: %s", name);
  }

  // Errors.

  private at(node: Node): void {
    this.node = node;
  }

  /**
   * Throws an execution error located at the current node. Like Go, the
   * location is spliced into the format unescaped, so a `%` in the template
   * name garbles the message the same way.
   */
  private errorf(format: string, ...args: GoValue[]): never {
    return this.errorfCause(undefined, format, ...args);
  }

  private errorfCause(cause: unknown, format: string, ...args: GoValue[]): never {
    const name = doublePercent(this.tmplName);
    const node = this.node;
    if (node === null) {
      const message = sprintf(sprintf("template: %s: %s", [name, format]), args);
      throw withoutStack(() => new TemplateExecError(message, 1, 1, { cause }));
    }
    const position = positionOf(this.source.text, node.pos);
    const location = `${this.source.parseName}:${position.line}:${position.goColumn}`;
    const context = doublePercent(String(node));
    const full = sprintf("template: %s: executing %q at <%s>: %s", [
      location,
      name,
      context,
      format,
    ]);
    const message = sprintf(full, args);
    throw withoutStack(
      () => new TemplateExecError(message, position.line, position.column, { cause }),
    );
  }

  // Walking.

  private walk(dot: GoValue, node: Node): Flow {
    this.node = node;
    switch (node.type) {
      case NodeType.Action: {
        // Declared variables persist until the enclosing {{end}}; a declaration prints nothing.
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return Flow.Normal;
      }
      case NodeType.Break:
        return Flow.Break;
      case NodeType.Continue:
        return Flow.Continue;
      case NodeType.Comment:
        return Flow.Normal;
      case NodeType.If:
      case NodeType.With:
        return this.walkIfOrWith(node.type, dot, node.pipe, node.list, node.elseList);
      case NodeType.List:
        for (const child of node.nodes) {
          if (child.type === NodeType.Text) {
            this.write(child, child.text);
            continue;
          }
          const flow = this.walk(dot, child);
          if (flow !== Flow.Normal) return flow;
        }
        return Flow.Normal;
      case NodeType.Range:
        this.walkRange(dot, node);
        return Flow.Normal;
      case NodeType.Template:
        this.walkTemplate(dot, node);
        return Flow.Normal;
      case NodeType.Text:
        this.write(node, node.text);
        return Flow.Normal;
      default:
        return this.errorf("unknown node: %s", String(node));
    }
  }

  private walkIfOrWith(
    type: NodeType,
    dot: GoValue,
    pipe: PipeNode,
    list: ListNode,
    elseList: ListNode | null,
  ): Flow {
    const mark = this.mark();
    try {
      const val = this.evalPipeline(dot, pipe);
      if (isTrue(val)) return this.walk(type === NodeType.With ? val : dot, list);
      if (elseList !== null) return this.walk(dot, elseList);
      return Flow.Normal;
    } finally {
      this.pop(mark);
    }
  }

  /**
   * Walks a range. No value a Pogo template can reach is iterable in Go 1.19
   * (there are no slices, maps or channels, and strings and integers are
   * rejected), so the body never runs: an invalid value takes the else branch.
   */
  private walkRange(dot: GoValue, r: RangeNode): void {
    this.at(r);
    const mark = this.mark();
    try {
      const val = this.evalPipeline(dot, r.pipe);
      if (val !== undefined) this.errorf("range can't iterate over %v", val);
      if (r.elseList !== null) this.walk(dot, r.elseList);
    } finally {
      this.pop(mark);
    }
  }

  private walkTemplate(dot: GoValue, t: TemplateNode): void {
    this.at(t);
    const root = this.source.trees.get(t.name);
    if (root === undefined) this.errorf("template %q not defined", t.name);
    if (this.depth === MAX_EXEC_DEPTH) {
      this.errorf("exceeded maximum template depth (%v)", MAX_EXEC_DEPTH);
    }
    // Variables declared by the pipeline persist in the caller.
    const newDot = this.evalPipeline(dot, t.pipe);
    const savedName = this.tmplName;
    const savedNames = this.varNames.splice(0);
    const savedValues = this.varValues.splice(0);
    this.tmplName = t.name;
    this.depth++;
    try {
      // No dynamic scoping: the callee gets only its own $.
      this.push("$", newDot);
      this.walk(newDot, root);
    } catch (error) {
      if (isStackOverflow(error)) {
        this.tmplName = savedName;
        this.at(t);
        this.errorf("exceeded maximum template depth (%v)", MAX_EXEC_DEPTH);
      }
      throw error;
    } finally {
      this.depth--;
      this.tmplName = savedName;
      this.pop(0);
      this.varNames.push(...savedNames);
      this.varValues.push(...savedValues);
    }
  }

  // Evaluation.

  private evalPipeline(dot: GoValue, pipe: PipeNode | null): GoValue {
    if (pipe === null) return undefined;
    this.at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    const result = value as GoValue;
    for (const variable of pipe.decl) {
      if (pipe.isAssign) this.setVar(variable.ident[0]!, result);
      else this.push(variable.ident[0]!, result);
    }
    return result;
  }

  private notAFunction(args: readonly Node[] | null, final: Final): void {
    if ((args !== null && args.length > 1) || final !== MISSING) {
      this.errorf("can't give argument to non-function %s", String(args![0]));
    }
  }

  private evalCommand(dot: GoValue, cmd: CommandNode, final: Final): GoValue {
    const first = cmd.args[0]!;
    switch (first.type) {
      case NodeType.Field:
        return this.evalFieldNode(dot, first, cmd.args, final);
      case NodeType.Chain:
        return this.evalChainNode(dot, first, cmd.args, final);
      case NodeType.Identifier:
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case NodeType.Pipe:
        // A parenthesized pipeline takes no arguments.
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case NodeType.Variable:
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case NodeType.Bool:
        return first.value;
      case NodeType.Dot:
        return dot;
      case NodeType.Nil:
        return this.errorf("nil is not a command");
      case NodeType.Number:
        return this.idealConstant(first);
      case NodeType.String:
        return first.text;
    }
    return this.errorf("can't evaluate command %q", String(first));
  }

  /** Types a number literal by its syntax, as Go does where no parameter type applies. */
  private idealConstant(constant: NumberNode): GoValue {
    this.at(constant);
    // Values are immutable, so one per literal serves every execution.
    if (constant.ideal !== undefined) return constant.ideal;
    const value = this.computeIdealConstant(constant);
    constant.ideal = value;
    return value;
  }

  private computeIdealConstant(constant: NumberNode): GoValue {
    const text = constant.text;
    if (constant.isComplex) return new GoComplex(constant.complexRe, constant.complexIm);
    if (constant.isFloat && !isHexInt(text) && text[0] !== "'" && /[.eEpP]/.test(text)) {
      return GoNumber.float64(constant.float64);
    }
    if (constant.isInt) return goInt(constant.int64);
    if (constant.isUint) this.errorf("%s overflows int", text);
    return undefined;
  }

  private evalFieldNode(
    dot: GoValue,
    field: FieldNode,
    args: readonly Node[] | null,
    final: Final,
  ): GoValue {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  private evalChainNode(
    dot: GoValue,
    chain: ChainNode,
    args: readonly Node[] | null,
    final: Final,
  ): GoValue {
    this.at(chain);
    if (chain.fields.length === 0) this.errorf("internal error: no fields in evalChainNode");
    if (chain.node.type === NodeType.Nil)
      return this.errorf("indirection through explicit nil in %s", String(chain));
    const pipe = this.evalArg(dot, null, chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.fields, args, final);
  }

  private evalVariableNode(
    dot: GoValue,
    variable: VariableNode,
    args: readonly Node[] | null,
    final: Final,
  ): GoValue {
    this.at(variable);
    const value = this.varValue(variable.ident[0]!);
    if (variable.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, variable, variable.ident.slice(1), args, final);
  }

  private evalFieldChain(
    dot: GoValue,
    receiver: GoValue,
    node: Node,
    ident: readonly string[],
    args: readonly Node[] | null,
    final: Final,
  ): GoValue {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) {
      receiver = this.evalField(dot, ident[i]!, node, null, MISSING, receiver);
    }
    return this.evalField(dot, ident[n - 1]!, node, args, final, receiver);
  }

  private evalFunction(
    dot: GoValue,
    node: IdentifierNode,
    cmd: Node,
    args: readonly Node[] | null,
    final: Final,
  ): GoValue {
    this.at(node);
    const name = node.ident;
    const user = POGO_FUNCS.get(name);
    const fn = user ?? BUILTINS.get(name);
    if (fn === undefined) this.errorf("%q is not a defined function", name);
    return this.evalCall(dot, fn, user === undefined, cmd, name, args, final, null);
  }

  /** Evaluates `.Field` or `.Method args...` on a receiver. */
  private evalField(
    dot: GoValue,
    fieldName: string,
    node: Node,
    args: readonly Node[] | null,
    final: Final,
    receiver: GoValue,
  ): GoValue {
    if (receiver === undefined) return undefined;
    const method = methodsOf(receiver)?.get(fieldName);
    if (method !== undefined) {
      return this.evalCall(dot, method, false, node, fieldName, args, final, receiver);
    }
    const hasArgs = (args !== null && args.length > 1) || final !== MISSING;
    if (receiver instanceof GoStruct) {
      const field = receiver.field(fieldName);
      if (field !== undefined) {
        if (hasArgs) this.errorf("%s has arguments but cannot be invoked as function", fieldName);
        return receiver.get(field);
      }
    } else if (receiver instanceof GoTime && TIME_FIELDS.has(fieldName)) {
      return this.errorf("%s is an unexported field of struct type %s", fieldName, "time.Time");
    }
    return this.errorf("can't evaluate field %s in type %s", fieldName, typeName(receiver));
  }

  /**
   * Calls a function or method. `args` includes the function's own node
   * first, like a shell's argv; `receiver` is bound for methods.
   */
  private evalCall(
    dot: GoValue,
    fn: GoFunc,
    isBuiltin: boolean,
    node: Node,
    name: string,
    allArgs: readonly Node[] | null,
    final: Final,
    receiver: GoValue | null,
  ): GoValue {
    // allArgs[0] is the function's own node; the arguments follow it.
    const args: readonly Node[] = allArgs ?? NO_NODES;
    const argCount = Math.max(args.length - 1, 0);
    const params = fn.params;
    let numIn = argCount;
    if (final !== MISSING) numIn++;
    let numFixed = argCount;
    if (fn.variadic) {
      numFixed = params.length - 1;
      if (numIn < numFixed) {
        return this.errorf(
          "wrong number of args for %s: want at least %d got %d",
          name,
          params.length - 1,
          argCount,
        );
      }
    } else if (numIn !== params.length) {
      return this.errorf("wrong number of args for %s: want %d got %d", name, params.length, numIn);
    }
    if (!goodFunc(fn)) {
      return this.errorf("can't call method/function %q with %d results", name, fn.numOut);
    }

    // and/or evaluate their arguments only until the result is known.
    if (isBuiltin && (name === "and" || name === "or")) {
      const argType = params[0]!;
      let v: GoValue;
      for (let i = 1; i <= argCount; i++) {
        v = this.evalArg(dot, argType, args[i]!);
        if (isTrue(v) === (name === "or")) return v;
      }
      if (final !== MISSING) v = this.validateType(final, argType);
      return v;
    }

    const argv: GoValue[] = receiver === null ? [] : [receiver];
    let i = 0;
    for (; i < numFixed && i < argCount; i++)
      argv.push(this.evalArg(dot, params[i]!, args[i + 1]!));
    if (fn.variadic) {
      const argType = params[params.length - 1]!;
      for (; i < argCount; i++) argv.push(this.evalArg(dot, argType, args[i + 1]!));
    }
    if (final !== MISSING) {
      let t = params[params.length - 1]!;
      if (fn.variadic && numIn - 1 < numFixed) t = params[numIn - 1]!;
      argv.push(this.validateType(final, t));
    }
    let result: GoValue;
    try {
      result = fn.call(argv, this.env);
    } catch (error) {
      if (error instanceof GoError) {
        this.at(node);
        return this.errorfCause(error, "error calling %s: %s", name, error.message);
      }
      throw error;
    }
    // Values that never reach the output (`$x := printf "%s%s" $x $x` in a
    // range) are capped as the output is.
    if (typeof result === "string" && result.length > MAX_OUTPUT_LENGTH) {
      this.at(node);
      return this.errorf(
        "%s returned more than %d characters; rendering stopped",
        name,
        MAX_OUTPUT_LENGTH,
      );
    }
    return result;
  }

  /** Checks that a computed value fits a parameter type, as Go's validateType does. */
  private validateType(value: GoValue, typ: GoType | null): GoValue {
    if (value === undefined) {
      if (typ === null || canBeNil(typ)) return undefined;
      return this.errorf("invalid value; expected %s", typ.name);
    }
    if (typ === null || typ.kind === "value" || typ.kind === "iface") return value;
    const actual = typeName(value);
    if (actual !== typ.name)
      return this.errorf("wrong type for value; expected %s; got %s", typ.name, actual);
    return value;
  }

  private evalArg(dot: GoValue, typ: GoType | null, n: Node): GoValue {
    this.at(n);
    switch (n.type) {
      case NodeType.Dot:
        return this.validateType(dot, typ);
      case NodeType.Nil:
        if (typ !== null && canBeNil(typ)) return undefined;
        return this.errorf("cannot assign nil to %s", typ?.name);
      case NodeType.Field:
        return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), typ);
      case NodeType.Variable:
        return this.validateType(this.evalVariableNode(dot, n, null, MISSING), typ);
      case NodeType.Pipe:
        return this.validateType(this.evalPipeline(dot, n), typ);
      case NodeType.Identifier:
        return this.validateType(this.evalFunction(dot, n, n, null, MISSING), typ);
      case NodeType.Chain:
        return this.validateType(this.evalChainNode(dot, n, null, MISSING), typ);
    }
    switch (typ?.kind) {
      case "bool":
        if (n.type === NodeType.Bool) return n.value;
        return this.errorf("expected bool; found %s", String(n));
      case "complex":
        if (n.type === NodeType.Number && n.isComplex)
          return new GoComplex(n.complexRe, n.complexIm);
        return this.errorf("expected complex; found %s", String(n));
      case "float":
        if (n.type === NodeType.Number && n.isFloat) return new GoNumber(typ.name, n.float64);
        return this.errorf("expected float; found %s", String(n));
      case "int":
        if (n.type === NodeType.Number && n.isInt) {
          return typ.name === "int" ? goInt(n.int64) : new GoNumber(typ.name, n.int64);
        }
        return this.errorf("expected integer; found %s", String(n));
      case "iface":
      case "value":
        return this.evalEmptyInterface(dot, n);
      case "string":
        if (n.type === NodeType.String) return n.text;
        return this.errorf("expected string; found %s", String(n));
      case "uint":
        if (n.type === NodeType.Number && n.isUint) return new GoNumber(typ.name, n.uint64);
        return this.errorf("expected unsigned integer; found %s", String(n));
    }
    return this.errorf("can't handle %s for arg of type %s", String(n), typ?.name);
  }

  private evalEmptyInterface(dot: GoValue, n: Node): GoValue {
    this.at(n);
    switch (n.type) {
      case NodeType.Bool:
        return n.value;
      case NodeType.Dot:
        return dot;
      case NodeType.Field:
        return this.evalFieldNode(dot, n, null, MISSING);
      case NodeType.Identifier:
        return this.evalFunction(dot, n, n, null, MISSING);
      case NodeType.Nil:
        return this.errorf("evalEmptyInterface: nil (can't happen)");
      case NodeType.Number:
        return this.idealConstant(n);
      case NodeType.String:
        return n.text;
      case NodeType.Variable:
        return this.evalVariableNode(dot, n, null, MISSING);
      case NodeType.Pipe:
        return this.evalPipeline(dot, n);
    }
    return this.errorf("can't handle assignment of %s to empty interface argument", String(n));
  }

  private printValue(n: Node, v: GoValue): void {
    this.at(n);
    if (typeof v === "string") this.write(n, v);
    else if (v === undefined) this.write(n, "<no value>");
    else this.write(n, sprintValue(v));
  }

  private write(n: Node, text: string): void {
    if (this.out.length + text.length > MAX_OUTPUT_LENGTH) {
      this.at(n);
      this.errorf("output is longer than %d characters; rendering stopped", MAX_OUTPUT_LENGTH);
    }
    this.out += text;
  }
}

const NO_NODES: readonly Node[] = [];

const TIME_FIELDS = new Set(["wall", "ext", "loc"]);

function doublePercent(s: string): string {
  return s.includes("%") ? s.replaceAll("%", "%%") : s;
}

function canBeNil(typ: GoType): boolean {
  return typ.kind === "iface" || typ.kind === "value" || typ.kind === "ptr";
}

function isHexInt(s: string): boolean {
  return s.length > 2 && s[0] === "0" && (s[1] === "x" || s[1] === "X") && !/[pP]/.test(s);
}
