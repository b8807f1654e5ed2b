import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig, readEnvironment, resolveUniverse } from '../src/config.js';
import { ConfigError, ValidationError } from '../src/errors.js';

describe('environment', () => {
  it('defaults to the embedded database under ./.momentum', () => {
    const env = readEnvironment({}, '/srv/app');
    expect(env).toMatchObject({ databaseUrl: undefined, home: '/srv/app/.momentum' });
  });

  it('reads DATABASE_URL, MOMENTUM_HOME and MOMENTUM_CONFIG (blank DATABASE_URL means unset)', () => {
    const env = readEnvironment({ DATABASE_URL: 'postgres://u@h/db', MOMENTUM_HOME: 'state', MOMENTUM_CONFIG: 'cfg.json' }, '/srv/app');
    expect(env).toEqual({ databaseUrl: 'postgres://u@h/db', home: '/srv/app/state', configPath: '/srv/app/cfg.json', reportLinkDays: 90 });
    expect(readEnvironment({ DATABASE_URL: '  ' }, '/srv').databaseUrl).toBeUndefined();
  });

  it('names a bad variable', () => {
    expect(() => readEnvironment({ DATABASE_URL: 'mysql://x' })).toThrow(
      'environment variable DATABASE_URL must start with postgres:// or postgresql://',
    );
  });
});

describe('configuration file', () => {
  it('ships valid universes, including the multi-asset ETF set of ../shared/data', () => {
    const config = loadConfig(resolve(__dirname, '../momentum.config.json'));
    const etf = resolveUniverse(config, 'etf-multi-asset');
    expect(etf.members).toHaveLength(26);
    expect(new Set(etf.members.map((m) => m.asset_class))).toEqual(new Set(['equity', 'bond', 'commodity', 'currency']));
    expect(resolveUniverse(config, 'global-yahoo').members.map((m) => m.symbol)).toContain('EURUSD=X');
  });

  it('accepts plain symbols and normalises them', () => {
    const config = parseConfig({ universes: { mine: { symbols: ['spy', { symbol: 'tlt', asset_class: 'bond' }] } } });
    expect(resolveUniverse(config, 'mine').members).toEqual([{ symbol: 'SPY' }, { symbol: 'TLT', asset_class: 'bond' }]);
  });

  it.each([
    [{ universes: { mine: { symbols: [] } } }, 'universes.mine.symbols: a universe needs at least one symbol'],
    [
      { universes: { mine: { symbols: [{ symbol: 'SPY', asset_class: 'stocks' }] } } },
      'universes.mine.symbols.0.asset_class: unknown asset class "stocks"',
    ],
    [{ universes: { mine: { symbols: ['SPY'], interval: '2d' } } }, 'universes.mine.interval: unknown interval "2d"'],
    [{ universes: { 'My Universe': { symbols: ['SPY'] } } }, 'universe names are lower-case words joined by -'],
    [{ universes: { mine: { symbols: ['SPY'], colour: 'red' } } }, 'universes.mine'],
    [{ universes: { mine: { symbols: ['SP Y'] } } }, 'universes.mine.symbols.0: symbol: invalid symbol "SP Y"'],
  ])('refuses %j naming the bad entry', (raw, message) => {
    expect(() => parseConfig(raw, 'test.json')).toThrow(ConfigError);
    expect(() => parseConfig(raw, 'test.json')).toThrow(message);
  });

  it('says which file cannot be read or parsed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'momentum-config-'));
    writeFileSync(join(dir, 'bad.json'), '{ "universes": ');
    expect(() => loadConfig(join(dir, 'bad.json'))).toThrow(/cannot read configuration .*bad.json/);
    expect(() => loadConfig(join(dir, 'missing.json'))).toThrow(/cannot read configuration .*missing.json/);
    rmSync(dir, { recursive: true });
  });

  it('reads a file that starts with a UTF-8 byte-order mark (as some Windows editors save it)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'momentum-config-'));
    writeFileSync(join(dir, 'bom.json'), `\uFEFF${JSON.stringify({ universes: { mine: { symbols: ['SPY'] } } })}`);
    expect(resolveUniverse(loadConfig(join(dir, 'bom.json')), 'mine').members).toEqual([{ symbol: 'SPY' }]);
    rmSync(dir, { recursive: true });
  });

  it('lists the known universes when asked for an unknown one', () => {
    const config = parseConfig({ universes: { a: { symbols: ['SPY'] }, b: { symbols: ['TLT'] } } }, 'x.json');
    expect(() => resolveUniverse(config, 'c')).toThrow(ValidationError);
    expect(() => resolveUniverse(config, 'c')).toThrow('unknown universe "c" in x.json; known: a, b');
  });
});

describe('the jobs section (the distributed job engine)', () => {
  it('defaults to the scheduler running its jobs itself, 50 combinations a chunk, 15 minutes before a job expires', () => {
    expect(parseConfig({ universes: {} }).jobs).toEqual({
      distributed: false,
      chunkSize: 50,
      expireSeconds: 900,
      retryLimit: 3,
      pollSeconds: 2,
      maintenanceSeconds: 30,
      shutdownGraceMs: 120_000,
    });
    const jobs = parseConfig({
      universes: {},
      jobs: { distributed: true, chunkSize: 10, expireAfter: '5s', maintenanceInterval: '1s' },
    }).jobs;
    expect(jobs).toMatchObject({ distributed: true, chunkSize: 10, expireSeconds: 5, maintenanceSeconds: 1 });
  });

  it('names a bad setting', () => {
    expect(() => parseConfig({ universes: {}, jobs: { chunkSize: 0 } }, 'x.json')).toThrow(/jobs\.chunkSize/);
    expect(() => parseConfig({ universes: {}, jobs: { expireAfter: 'soon' } }, 'x.json')).toThrow(/jobs\.expireAfter: expected a duration/);
    expect(() => parseConfig({ universes: {}, jobs: { workers: 2 } }, 'x.json')).toThrow(/jobs/);
  });
});
