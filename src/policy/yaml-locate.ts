import { type Document, type LineCounter, isMap, isScalar, isSeq, type Node } from "yaml";

export interface Location {
  line: number;
  column: number;
}

/**
 * Where a path into the parsed value sits in the YAML text. When the path does not exist
 * (a missing required field), this is the nearest node that does, usually the enclosing map.
 * With `atKey`, points at the last segment's key rather than its value (for unknown fields).
 */
export function locate(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[], atKey = false): Location {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const [index, segment] of path.entries()) {
    const next = child(node, segment);
    if (!next) break;
    const isLast = index === path.length - 1;
    offset = (isLast && atKey ? rangeStart(next.key) : undefined) ?? rangeStart(next.value) ?? rangeStart(next.key) ?? offset;
    node = next.value;
  }
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function child(node: unknown, segment: PropertyKey): { key: unknown; value: unknown } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((item) => keyText(item.key) === String(segment));
    return pair ? { key: pair.key, value: pair.value } : undefined;
  }
  if (isSeq(node) && typeof segment === "number") {
    const item = node.items[segment];
    return item === undefined ? undefined : { key: undefined, value: item };
  }
  return undefined;
}

function keyText(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}
