/**
 * What a reader does not see as a character of its own: spaces and line separators (Z), controls,
 * format characters such as zero-width spaces, private-use and unassigned code points (C), marks that
 * only modify the character before them or show nothing alone (M: combining accents, variation
 * selectors, the grapheme joiner), and the letters Unicode draws blank (Hangul fillers, blank Braille).
 */
const INVISIBLE = /[\p{Z}\p{C}\p{M}\u115F\u1160\u3164\uFFA0\u2800]/gu;

/**
 * How many characters of `text` a reader sees: what "a reason of at least 10 characters" counts, so
 * ten zero-width spaces or ten Hangul fillers are no reason. Counted in code points (an emoji is one).
 */
export function visibleLength(text: string): number {
  return [...text.replace(INVISIBLE, "")].length;
}
