/**
 * The data fingerprint stored with every result: SHA-256 over the interval, the symbols, the bar
 * dates and the values of every field used, as raw float64 bytes. The same bars give the same
 * fingerprint on every engine; any changed, added or removed bar changes it.
 */
import { createHash } from 'node:crypto';
import type { Panel, PanelField } from './panel.js';

/** @example panelFingerprint(panel) // 'sha256:3f1c...' */
export function panelFingerprint(
  panel: Pick<Panel, 'interval' | 'symbols' | 'dates'> & { values: Partial<Record<PanelField, readonly Float64Array[]>> },
): string {
  const hash = createHash('sha256');
  hash.update(`${panel.interval}\n${panel.symbols.join(',')}\n`);
  hash.update(bytes(panel.dates));
  for (const field of Object.keys(panel.values).sort() as PanelField[]) {
    hash.update(`\n${field}\n`);
    for (const column of panel.values[field]!) hash.update(bytes(column));
  }
  return `sha256:${hash.digest('hex')}`;
}

/**
 * A fingerprint that also covers one more series (a risk-free rate's returns) or another digest
 * (of the point-in-time data read), under a label.
 * @example extendFingerprint(panelFingerprint(panel), 'risk-free SHY', returns) // 'sha256:9a0e...'
 */
export function extendFingerprint(fingerprint: string, label: string, values: Float64Array | string): string {
  const hash = createHash('sha256').update(`${fingerprint}\n${label}\n`);
  return `sha256:${hash.update(typeof values === 'string' ? values : bytes(values)).digest('hex')}`;
}

function bytes(values: Float64Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}
