/** Reads a PNG's header independently of the code under test: signature, then the IHDR chunk. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function pngInfo(png: Buffer): { width: number; height: number; hasEnd: boolean } {
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG: bad signature');
  if (png.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG: the first chunk is not IHDR');
  return {
    width: png.readUInt32BE(16),
    height: png.readUInt32BE(20),
    hasEnd: png.toString('latin1', png.length - 8, png.length - 4) === 'IEND',
  };
}
