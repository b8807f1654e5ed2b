/**
 * Price fields plus adjusted open/high/low (raw value x adj_close / close), which a backtest uses
 * to fill orders on the same basis as adjusted closes, so splits and dividends create no fake P&L.
 * Apart from panel.ts (which queries them) so that strategy code can name them without the database.
 */
import { PRICE_FIELDS, type PriceField } from './bar.js';

export type PanelField = PriceField | 'adj_open' | 'adj_high' | 'adj_low';
export const PANEL_FIELDS: readonly PanelField[] = [...PRICE_FIELDS, 'adj_open', 'adj_high', 'adj_low'];
