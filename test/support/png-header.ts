/** The eight bytes every PNG starts with (PNG spec, section 5.2). */
const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Checks a PNG's signature and that its first chunk is a 13-byte IHDR (PNG spec, 11.2.2), and returns
 * the width and height it declares; throws on anything else.
 */
export function readPngHeader(bytes: Uint8Array): { width: number; height: number; bitDepth: number; colourType: number } {
  if (bytes.length < 33 || SIGNATURE.some((byte, i) => bytes[i] !== byte)) throw new Error('not a PNG: the signature is missing');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = String.fromCharCode(...bytes.subarray(12, 16));
  if (view.getUint32(8) !== 13 || type !== 'IHDR') throw new Error(`not a PNG: the first chunk is ${type} of ${view.getUint32(8)} bytes, not a 13-byte IHDR`);
  return { width: view.getUint32(16), height: view.getUint32(20), bitDepth: bytes[24]!, colourType: bytes[25]! };
}
