import { isAbsolute, relative } from "node:path";

/** A path as messages show it: relative to the working directory when under it, absolute otherwise (a global install). */
export function displayPath(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere === "" || fromHere.startsWith("..") || isAbsolute(fromHere) ? path : fromHere;
}
