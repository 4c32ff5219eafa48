import { templateData } from "./event.js";
import { suggestKey } from "./suggest.js";
import {
  FUNCTION_NAMES,
  type ListNode,
  type Node,
  NodeType,
  parseTrees,
} from "./template-engine.js";

/** The fields of the event data, `main.Event` in templates, in declaration order. */
const DATA_FIELDS = Object.keys(templateData());

const LOWERCASE_FIELDS = DATA_FIELDS.map((field) => field.toLowerCase());

/** UnknownField is a `.Name` or `$.Name` on the event data that the data does not have. */
export interface UnknownField {
  /** Offset in the template source of the `.` before the name. */
  offset: number;
  name: string;
  message: string;
}

/**
 * Finds fields looked up on the event data that it does not have, which
 * would fail at run time with "can't evaluate field". Only lookups whose
 * receiver is certainly the data are checked: `$.Name` anywhere in the main
 * template, and `.Name` outside the body of `with` and `range`, where `.`
 * becomes another value. Templates defined with `define` or `block` are
 * skipped, because their `.` is whatever the caller passes. Returns nothing
 * for a template that does not parse; the syntax check reports that.
 */
export function findUnknownFields(name: string, source: string): UnknownField[] {
  let root: ListNode | undefined;
  try {
    root = parseTrees(name, source, FUNCTION_NAMES).get(name);
  } catch {
    return [];
  }
  if (!root) return [];
  const found: UnknownField[] = [];
  const check = (offset: number, field: string | undefined) => {
    if (field === undefined || DATA_FIELDS.includes(field)) return;
    // suggestKey lowercases only the unknown name, and these fields are mixed case.
    const lowered = suggestKey(field, LOWERCASE_FIELDS);
    const suggestion = lowered && DATA_FIELDS[LOWERCASE_FIELDS.indexOf(lowered)];
    const hint = suggestion
      ? `did you mean \`${suggestion}\`?`
      : `use one of ${DATA_FIELDS.join(", ")}`;
    found.push({
      offset,
      name: field,
      message: `unknown field \`${field}\` in the event data; ${hint}`,
    });
  };

  const walk = (node: Node | null | undefined, dotIsData: boolean): void => {
    if (!node) return;
    switch (node.type) {
      case NodeType.List:
        for (const child of node.nodes) walk(child, dotIsData);
        return;
      case NodeType.Action:
        walk(node.pipe, dotIsData);
        return;
      case NodeType.Pipe:
        for (const command of node.cmds) walk(command, dotIsData);
        return;
      case NodeType.Command:
        for (const arg of node.args) walk(arg, dotIsData);
        return;
      case NodeType.Chain:
        walk(node.node, dotIsData);
        return;
      case NodeType.Field:
        if (dotIsData) check(node.pos, node.ident[0]);
        return;
      case NodeType.Variable:
        if (node.ident[0] === "$") check(node.pos, node.ident[1]);
        return;
      case NodeType.If:
        walk(node.pipe, dotIsData);
        walk(node.list, dotIsData);
        walk(node.elseList, dotIsData);
        return;
      case NodeType.With:
      case NodeType.Range:
        // The body runs with `.` set to the pipeline's value; `else` keeps the outer `.`.
        walk(node.pipe, dotIsData);
        walk(node.list, false);
        walk(node.elseList, dotIsData);
        return;
      case NodeType.Template:
        walk(node.pipe, dotIsData);
        return;
      default:
        return;
    }
  };
  walk(root, true);
  return found;
}
