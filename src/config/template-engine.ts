/**
 * The template engine as the config layer uses it: Go `text/template` from
 * `src/template`. Keeping the imports in one module leaves one place to
 * adapt if the engine's interface changes.
 */

export { FUNCTION_NAMES } from "../template/funcs.js";
export {
  hasTemplateActions,
  parseTemplate,
  type Template,
  type TemplateEnv,
  TemplateExecError,
  TemplateParseError,
} from "../template/index.js";
export { type ListNode, type Node, NodeType } from "../template/node.js";
export { parseTrees } from "../template/parser.js";
