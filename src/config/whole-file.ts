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

/** Position of an action that needs quotes. */
export interface UnquotedAction {
  line: number;
  column: number;
  action: string;
}

/**
 * Names the actions that break the YAML structure unrendered: those that
 * start a plain value (YAML reads a leading `{` as a flow mapping). When
 * none does, the first line the YAML parser rejected is named instead.
 */
export function unquotedActionLines(
  text: string,
  actions: readonly TemplateAction[],
  directErrors: readonly Diagnostic[],
): UnquotedAction[] {
  const found: UnquotedAction[] = [];
  for (const action of actions) {
    const lineStart = text.lastIndexOf("\n", action.start - 1) + 1;
    const before = text.slice(lineStart, action.start);
    if (/^\s*(?:-\s+)*(?:[^\s#'"][^#]*?:\s+)?(?:-\s+)*$/.test(before)) {
      found.push({ ...positionOf(text, action.start), action: action.text });
    }
  }
  if (found.length > 0 || directErrors.length === 0) return found;
  const first = directErrors[0]!;
  const onLine =
    actions.find((action) => positionOf(text, action.start).line === first.line) ?? actions[0];
  return [{ line: first.line, column: first.column, action: onLine?.text ?? "{{ }}" }];
}

function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf("\n") + 1;
  return { line: before.split("\n").length, column: offset - lineStart + 1 };
}
