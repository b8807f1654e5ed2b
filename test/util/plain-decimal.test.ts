import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePlainDecimal } from '../../src/util/plain-decimal.js';

/** What a CSV reader does with a field: the fast path when it applies, else Number. */
const read = (text: string) => parsePlainDecimal(text) ?? Number(text);

describe('parsePlainDecimal', () => {
  it('gives exactly what Number gives for decimals written with a fixed number of places', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }),
        fc.integer({ min: 0, max: 8 }),
        (x, places) => {
          const text = x.toFixed(places);
          expect(Object.is(read(text), Number(text))).toBe(true);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('gives exactly what Number gives for any string of digits, points and signs', () => {
    const texts = fc.array(fc.constantFrom(...'0123456789.-'), { minLength: 0, maxLength: 20 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(texts, (text) => {
        expect(Object.is(read(text), Number(text))).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it('reads a field in place as it reads the same text alone', () => {
    const field = fc.array(fc.constantFrom(...'0123456789.-e'), { maxLength: 18 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(field, field, field, (before, text, after) => {
        const line = `${before},${text},${after}`;
        const start = before.length + 1;
        expect(parsePlainDecimal(line, start, start + text.length)).toBe(parsePlainDecimal(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it('reads plain decimals and leaves everything else to Number', () => {
    expect(parsePlainDecimal('127.76')).toBe(127.76);
    expect(parsePlainDecimal('986082')).toBe(986082);
    expect(parsePlainDecimal('-0.5')).toBe(-0.5);
    expect(parsePlainDecimal('.5')).toBe(0.5);
    expect(parsePlainDecimal('5.')).toBe(5);
    expect(Object.is(parsePlainDecimal('-0'), -0)).toBe(true);
    expect(parsePlainDecimal('0.1')! + parsePlainDecimal('0.2')!).toBe(0.1 + 0.2);
    for (const text of ['', '-', '.', '1e3', '+1', ' 1', '1 ', '1,5', '1.2.3', 'null', 'NaN', '1234567890123456', '0x10', 'Infinity']) {
      expect(parsePlainDecimal(text), text).toBeUndefined();
    }
  });
});
