/**
 * The first 32 hex characters of SHA-256 (FIPS 180-4) of a string's UTF-8 bytes, in plain
 * synchronous JavaScript.
 *
 * Why not node:crypto: evaluation fingerprints every finding, and 100,000+ findings per run are
 * expected. node:crypto's per-call Hash and Buffer objects made hashing most of evaluation's time
 * and memory; this allocates one 32-character string per call. Fingerprints are identifiers, not a
 * security boundary; a test checks this function against node:crypto.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const INITIAL = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
const HEX_CODES = Array.from("0123456789abcdef", (char) => char.charCodeAt(0));

const encoder = new TextEncoder();
const state = new Int32Array(8);
const schedule = new Int32Array(64);
const digitCodes = new Array<number>(32);
let buffer = new Uint8Array(256);

export function sha256HexPrefix(text: string): string {
  // Padded length: message, 0x80, zeros, 8-byte bit length, rounded up to 64-byte blocks.
  // UTF-8 takes at most 3 bytes per UTF-16 unit.
  const capacity = (((text.length * 3 + 9 + 63) >> 6) << 6);
  if (buffer.length < capacity) buffer = new Uint8Array(capacity * 2);
  const length = encoder.encodeInto(text, buffer).written;
  const padded = ((length + 9 + 63) >> 6) << 6;
  buffer.fill(0, length, padded);
  buffer[length] = 0x80;
  const bits = length * 8;
  buffer[padded - 4] = bits >>> 24;
  buffer[padded - 3] = bits >>> 16;
  buffer[padded - 2] = bits >>> 8;
  buffer[padded - 1] = bits;
  buffer[padded - 5] = Math.floor(bits / 2 ** 32);

  state.set(INITIAL);
  for (let offset = 0; offset < padded; offset += 64) compress(offset);

  for (let word = 0; word < 4; word++) {
    const value = state[word] as number;
    for (let nibble = 0; nibble < 8; nibble++) {
      digitCodes[word * 8 + nibble] = HEX_CODES[(value >>> (28 - nibble * 4)) & 0xf] as number;
    }
  }
  return String.fromCharCode(...digitCodes);
}

function compress(offset: number): void {
  const w = schedule;
  const b = buffer;
  for (let i = 0; i < 16; i++) {
    const j = offset + i * 4;
    w[i] = ((b[j] as number) << 24) | ((b[j + 1] as number) << 16) | ((b[j + 2] as number) << 8) | (b[j + 3] as number);
  }
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15] as number;
    const y = w[i - 2] as number;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = ((w[i - 16] as number) + s0 + (w[i - 7] as number) + s1) | 0;
  }
  let a = state[0] as number;
  let bb = state[1] as number;
  let c = state[2] as number;
  let d = state[3] as number;
  let e = state[4] as number;
  let f = state[5] as number;
  let g = state[6] as number;
  let h = state[7] as number;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const choice = (e & f) ^ (~e & g);
    const t1 = (h + s1 + choice + (K[i] as number) + (w[i] as number)) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const majority = (a & bb) ^ (a & c) ^ (bb & c);
    const t2 = (s0 + majority) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = bb;
    bb = a;
    a = (t1 + t2) | 0;
  }
  state[0] = ((state[0] as number) + a) | 0;
  state[1] = ((state[1] as number) + bb) | 0;
  state[2] = ((state[2] as number) + c) | 0;
  state[3] = ((state[3] as number) + d) | 0;
  state[4] = ((state[4] as number) + e) | 0;
  state[5] = ((state[5] as number) + f) | 0;
  state[6] = ((state[6] as number) + g) | 0;
  state[7] = ((state[7] as number) + h) | 0;
}
