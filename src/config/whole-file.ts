import type { Diagnostic } from "./diagnostic.js";

/** TemplateAction is one `{{ ... }}` action found in a file's raw text. */
export interface TemplateAction {
  start: number;
  end: number;
  text: string;
}

/**
 * Finds every template action in raw text, skipping `}}` inside the
 * action's own string and character literals as Go's lexer does. Returns
 * undefined when an action is never closed.
 */
export function findTemplateActions(text: string): TemplateAction[] | undefined {
  const actions: TemplateAction[] = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf("{{", from);
    if (start < 0) return actions;
    const end = actionEnd(text, start + 2);
    if (end === undefined) return undefined;
    actions.push({ start, end, text: text.slice(start, end) });
    from = end;
  }
}

function actionEnd(text: string, from: number): number | undefined {
  let i = from;
  if (text.startsWith("/*", i) || text.startsWith("- /*", i)) {
    const close = text.indexOf("*/", i);
    if (close < 0) return undefined;
    i = close + 2;
  }
  while (i < text.length) {
    const char = text[i];
    if (char === "}" && text[i + 1] === "}") return i + 2;
    if (char === '"' || char === "'") {
      i++;
      while (i < text.length && text[i] !== char && text[i] !== "\n") i += text[i] === "\\" ? 2 : 1;
    } else if (char === "`") {
      const close = text.indexOf("`", i + 1);
      if (close < 0) return undefined;
      i = close;
    }
    i++;
  }
  return undefined;
}

/**
 * Replaces each action with a `${...}` placeholder, which YAML reads as plain
 * text and the validator treats as a run-time value, keeping lines in place.
 */
export function substituteActions(text: string, actions: readonly TemplateAction[]): string {
  let output = "";
  let cursor = 0;
  actions.forEach((action, index) => {
    output += text.slice(cursor, action.start) + `\${__POGO_TEMPLATE_${index}__}`;
    cursor = action.end;
  });
  return output + text.slice(cursor);
}

/** Matches the placeholder `substituteActions` leaves for an action. */
export const ACTION_PLACEHOLDER = /\$\{__POGO_TEMPLATE_(\d+)__\}/g;

/** StructuralAction is an action that breaks the YAML structure unrendered, and why. */
export interface StructuralAction {
  line: number;
  column: number;
  action: string;
  /** `value` starts a plain value and needs quotes; `control` is an `if`, `range` or `end` that shapes lines. */
  kind: "value" | "control";
}

// Only actions that open a block are named; their `else` and `end` add nothing.
const CONTROL = /^\{\{-?\s*(?:if|range|with|define|block|template)\b/;

/**
 * Names the actions that break the YAML structure unrendered: those that
 * start a plain value (YAML reads a leading `{` as a flow mapping) and
 * control actions standing on their own line. When none is found, the
 * first line the YAML parser rejected is named instead.
 */
export function structuralActions(
  text: string,
  actions: readonly TemplateAction[],
  directErrors: readonly Diagnostic[],
): StructuralAction[] {
  const found: StructuralAction[] = [];
  for (const action of actions) {
    const lineStart = text.lastIndexOf("\n", action.start - 1) + 1;
    const before = text.slice(lineStart, action.start);
    if (/^\{\{-?\s*(?:else|end|break|continue)\b/.test(action.text)) continue;
    if (CONTROL.test(action.text)) {
      if (before.trim() === "")
        found.push({ ...positionOf(text, action.start), action: action.text, kind: "control" });
      continue;
    }
    if (/^\s*(?:-\s+)*(?:[^\s#'"][^#]*?:\s+)?(?:-\s+)*$/.test(before)) {
      found.push({ ...positionOf(text, action.start), action: action.text, kind: "value" });
    }
  }
  if (found.length > 0 || directErrors.length === 0) return found;
  const first = directErrors[0]!;
  const onLine =
    actions.find((action) => positionOf(text, action.start).line === first.line) ?? actions[0];
  return [
    { line: first.line, column: first.column, action: onLine?.text ?? "{{ }}", kind: "value" },
  ];
}

function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf("\n") + 1;
  return { line: before.split("\n").length, column: offset - lineStart + 1 };
}
