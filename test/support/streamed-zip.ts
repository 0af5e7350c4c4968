/**
 * ZIPs written with fflate's streaming writer, for tests that need what
 * `zipSync` cannot make: entries in a given order, and a name repeated.
 */
import { Zip, ZipDeflate, ZipPassThrough } from "fflate";
import { joinChunks } from "../../src/evidence/evidence-content.js";

/**
 * A ZIP from fflate's streaming writer: the entries in the given order, every
 * one kept even under a repeated name (zipSync would merge them), with data
 * descriptors. Deflated at level 6, or stored when `stored` is true.
 */
export function streamedZip(entries: readonly (readonly [string, Uint8Array])[], { stored = false }: { stored?: boolean } = {}): Uint8Array {
  const chunks: Uint8Array[] = [];
  const zip = new Zip((error, chunk) => {
    if (error) throw error;
    chunks.push(chunk);
  });
  for (const [name, data] of entries) {
    const file = stored ? new ZipPassThrough(name) : new ZipDeflate(name, { level: 6 });
    zip.add(file);
    file.push(data, true);
  }
  zip.end();
  return joinChunks(chunks);
}
