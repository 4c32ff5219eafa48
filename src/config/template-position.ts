import type { Scalar } from "yaml";

/**
 * Maps a 1-based line and column inside a scalar's value to an offset in
 * the file, so template errors point at the file's own line and column.
 * The mapping is exact for plain and quoted scalars without escapes and for
 * literal block scalars. Otherwise the offset is found relative to the same
 * `{{` in the source text, which is exact unless the action itself was
 * folded or escaped.
 */
export function valuePositionToOffset(
  source: string,
  node: Scalar,
  value: string,
  line: number,
  column: number,
): number {
  const range = node.range;
  if (!range) return 0;
  const [start, end] = range;
  const written = source.slice(start, end);
  const valueOffset = offsetOf(value, line, column);

  if (node.type === "PLAIN" && written === value) return start + valueOffset;
  if (
    (node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE") &&
    written.slice(1, -1) === value
  ) {
    return start + 1 + valueOffset;
  }
  if (node.type === "BLOCK_LITERAL") {
    const mapped = literalBlockOffset(written, line, column);
    if (mapped !== undefined) return start + mapped;
  }
  return start + anchoredOffset(written, value, valueOffset);
}

function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let current = 1; current < line; current++) {
    const next = text.indexOf("\n", offset);
    if (next < 0) break;
    offset = next + 1;
  }
  return Math.min(offset + Math.max(column - 1, 0), text.length);
}

/** Line N of a literal block's value is line N after its header, indented by the block's indentation. */
function literalBlockOffset(written: string, line: number, column: number): number | undefined {
  const lines = written.split("\n");
  const content = lines.slice(1);
  const indent = Math.min(
    ...content
      .filter((text) => text.trim() !== "")
      .map((text) => text.length - text.trimStart().length),
  );
  if (!Number.isFinite(indent) || line > content.length) return undefined;
  let offset = lines[0]!.length + 1;
  for (let i = 0; i < line - 1; i++) offset += content[i]!.length + 1;
  return offset + indent + column - 1;
}

function anchoredOffset(written: string, value: string, valueOffset: number): number {
  const actionStart = value.lastIndexOf("{{", valueOffset);
  if (actionStart < 0) return 0;
  let index = 0;
  for (let at = value.indexOf("{{"); at >= 0 && at < actionStart; at = value.indexOf("{{", at + 2))
    index++;
  let found = -1;
  for (let i = 0; i <= index; i++) {
    found = written.indexOf("{{", found + (i === 0 ? 0 : 2));
    if (found < 0) return 0;
  }
  return found + (valueOffset - actionStart);
}
