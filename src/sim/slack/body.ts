/** Reading a Web API call's body the ways the SDK sends it: JSON, form-urlencoded or multipart (file uploads). */

export function parseBody(contentType: string, raw: Buffer): { fields: Record<string, unknown>; file?: Buffer } {
  const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "application/json") {
    try {
      const parsed = JSON.parse(raw.toString("utf8")) as unknown;
      return { fields: typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : { value: parsed } };
    } catch {
      return { fields: {} };
    }
  }
  if (type === "application/x-www-form-urlencoded") {
    return { fields: decodeJsonFields(Object.fromEntries(new URLSearchParams(raw.toString("utf8")))) };
  }
  if (type === "multipart/form-data") {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
    const parts = parseMultipart(raw, boundary?.[1] ?? boundary?.[2] ?? "");
    const fields: Record<string, string> = {};
    let file: Buffer | undefined;
    for (const part of parts) {
      if (part.filename !== null && file === undefined) file = part.content;
      else fields[part.name] = part.content.toString("utf8");
    }
    return file === undefined ? { fields: decodeJsonFields(fields) } : { fields: decodeJsonFields(fields), file };
  }
  return { fields: {} };
}

/** The SDK sends arrays and objects (blocks, files) as JSON strings inside the form. */
function decodeJsonFields(fields: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...fields };
  for (const name of ["blocks", "files", "attachments", "view"]) {
    const value = fields[name];
    if (value === undefined) continue;
    try {
      out[name] = JSON.parse(value) as unknown;
    } catch {
      // left as the string: chat.postMessage will call it invalid_blocks_format
    }
  }
  return out;
}

interface MultipartPart {
  name: string;
  filename: string | null;
  content: Buffer;
}

function parseMultipart(raw: Buffer, boundary: string): MultipartPart[] {
  if (!boundary) return [];
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let pos = raw.indexOf(delimiter);
  while (pos !== -1) {
    let start = pos + delimiter.length;
    if (raw.subarray(start, start + 2).toString("latin1") === "--") break;
    start += 2; // CRLF after the delimiter
    const next = raw.indexOf(delimiter, start);
    if (next === -1) break;
    const part = raw.subarray(start, next - 2); // CRLF before the next delimiter
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd !== -1) {
      const head = part.subarray(0, headerEnd).toString("utf8");
      const name = /name="([^"]*)"/i.exec(head)?.[1] ?? "";
      const filename = /filename="([^"]*)"/i.exec(head)?.[1] ?? null;
      parts.push({ name, filename, content: part.subarray(headerEnd + 4) });
    }
    pos = next;
  }
  return parts;
}
