import { createHash } from "node:crypto";

/** Hex SHA-256 of a UTF-8 string (node:crypto works in Node and, with nodejs_compat, in workerd). */
export function sha256Hex(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}
