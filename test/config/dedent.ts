/**
 * Strips the first newline and the common indentation of a template
 * literal, so YAML reads naturally inside tests. Interpolated values are
 * inserted after dedenting, so they keep their own indentation.
 */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const marked = strings.reduce(
    (text, part, index) => text + part + (index < values.length ? `\u0000${index}\u0000` : ""),
    "",
  );
  const lines = marked
    .replace(/^\n/, "")
    .replace(/[ \t]*$/, "")
    .split("\n");
  const indents = lines
    .filter((line) => line.trim() !== "")
    .map((line) => line.length - line.trimStart().length);
  const indent = Math.min(...indents);
  const dedented = lines.map((line) => line.slice(indent)).join("\n");
  return dedented.replace(/\u0000(\d+)\u0000/g, (_, index: string) =>
    String(values[Number(index)]),
  );
}
