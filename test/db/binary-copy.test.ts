import { describe, expect, it } from 'vitest';
import { BinaryCopyWriter } from '../../src/db/binary-copy.js';

const write = (writer: BinaryCopyWriter) =>
  writer
    .row(3)
    .text('SPY')
    .float8(1.5)
    .timestamptz(Date.UTC(2000, 0, 1))
    .row(3)
    .text('é')
    .float8(-0.25)
    .timestamptz(0)
    .finish();

describe('BinaryCopyWriter', () => {
  it("writes PostgreSQL's binary COPY layout: signature, header, rows of length-prefixed fields, trailer", () => {
    const bytes = [...write(new BinaryCopyWriter())];
    const int32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
    const float8 = (x: number) => {
      const view = new DataView(new ArrayBuffer(8));
      view.setFloat64(0, x);
      return [...new Uint8Array(view.buffer)];
    };
    // 1970-01-01 is 946,684,800,000,000 microseconds before PostgreSQL's epoch (2000-01-01), as a big-endian int64.
    const micros1970 = [0xff, 0xfc, 0xa2, 0xfe, 0xc4, 0xc8, 0x20, 0x00];
    expect(bytes).toEqual([
      ...[0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00],
      ...int32(0),
      ...int32(0),
      ...[0, 3],
      ...int32(3),
      ...[0x53, 0x50, 0x59],
      ...int32(8),
      ...float8(1.5),
      ...int32(8),
      ...[0, 0, 0, 0, 0, 0, 0, 0],
      ...[0, 3],
      ...int32(2),
      ...[0xc3, 0xa9],
      ...int32(8),
      ...float8(-0.25),
      ...int32(8),
      ...micros1970,
      ...[0xff, 0xff],
    ]);
  });

  it('grows its buffer as rows come: the bytes do not depend on the first size', () => {
    expect(write(new BinaryCopyWriter(1))).toEqual(write(new BinaryCopyWriter(1 << 20)));
  });
});
