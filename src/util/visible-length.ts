/** Spaces (any Unicode space or line separator), controls and format characters such as zero-width spaces: nothing a reader sees. */
const INVISIBLE = /[\p{Z}\p{Cc}\p{Cf}]/gu;

/**
 * How many characters of `text` a reader sees: what "a reason of at least 10 characters" counts, so
 * ten zero-width spaces are no reason. Counted in code points (an emoji is one, not two).
 */
export function visibleLength(text: string): number {
  return [...text.replace(INVISIBLE, "")].length;
}
