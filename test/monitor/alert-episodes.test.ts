import { describe, expect, it } from 'vitest';
import { recoveryLevel, scanEpisodes, type EpisodeEvent } from '../../src/monitor/alert-episodes.js';

const THRESHOLDS = [-0.05, -0.1, -0.2];
const observe = (...drawdowns: number[]): EpisodeEvent[] =>
  drawdowns.map((drawdown, point) => ({ kind: 'observe', ts: point, drawdown, point }));
const alerted = (events: EpisodeEvent[], open = new Map<number, string>(), through = Number.NEGATIVE_INFINITY) =>
  scanEpisodes(events, THRESHOLDS, open, through).crossings.map((c) => [c.threshold, c.point]);

describe('scanEpisodes', () => {
  it('alerts at the threshold itself and not just above it', () => {
    expect(alerted(observe(0, -0.05))).toEqual([[-0.05, 1]]);
    expect(alerted(observe(0, -0.0499999))).toEqual([]);
  });

  it('alerts once per threshold per episode, deeper thresholds on the same bar once each', () => {
    expect(alerted(observe(0, -0.12, -0.06, -0.11, -0.21, -0.13))).toEqual([
      [-0.05, 1],
      [-0.1, 1],
      [-0.2, 4],
    ]);
  });

  it('re-arms a threshold only when the drawdown is back to half of it: one side of the boundary', () => {
    // -0.0251 is still below -0.025: the -5% episode goes on, the dip to -0.06 is silent
    expect(alerted(observe(0, -0.06, -0.0251, -0.06))).toEqual([[-0.05, 1]]);
  });

  it('re-arms at exactly half the threshold: the other side of the boundary', () => {
    expect(recoveryLevel(-0.05)).toBe(-0.025);
    expect(alerted(observe(0, -0.06, -0.025, -0.06))).toEqual([
      [-0.05, 1],
      [-0.05, 3],
    ]);
  });

  it('recovers each threshold at its own level', () => {
    // -0.06 is back above -0.1 (the -20% level) but not above -0.05 (the -10% level)
    const scan = scanEpisodes(observe(0, -0.21, -0.06, -0.21), THRESHOLDS, new Map(), Number.NEGATIVE_INFINITY);
    expect(scan.crossings.map((c) => [c.threshold, c.point, c.endedTs])).toEqual([
      [-0.05, 1, null],
      [-0.1, 1, null],
      [-0.2, 1, 2],
      [-0.2, 3, null],
    ]);
    expect(scan.crossings[2]!.resolution).toBe('recovered');
  });

  it('counts a new peak as recovery', () => {
    expect(alerted(observe(0, -0.3, 0, -0.3)).length).toBe(6);
  });

  it('starts from the stored open episodes and applies only events after the watermark', () => {
    const open = new Map([
      [-0.05, 'alert-1'],
      [-0.1, 'alert-2'],
    ]);
    const scan = scanEpisodes(observe(-0.3, -0.3, -0.07, -0.01, -0.06), THRESHOLDS, open, 1);
    // points 0 and 1 are at or before the watermark (an earlier run saw them): no -20% alert from them now
    expect(scan.crossings.map((c) => [c.threshold, c.point])).toEqual([[-0.05, 4]]);
    expect(scan.endings).toEqual([
      { ref: 'alert-1', threshold: -0.05, ts: 3, resolution: 'recovered' },
      { ref: 'alert-2', threshold: -0.1, ts: 3, resolution: 'recovered' },
    ]);
  });

  it('ends open episodes when the position is closed, and starts armed after', () => {
    const events: EpisodeEvent[] = [
      { kind: 'observe', ts: 0, drawdown: -0.06, point: 0 },
      { kind: 'close', ts: 0.5 },
      { kind: 'observe', ts: 1, drawdown: -0.06, point: 1 },
      { kind: 'observe', ts: 2, drawdown: -0.12, point: 2 },
      { kind: 'close', ts: 2.5 },
    ];
    const scan = scanEpisodes(events, THRESHOLDS, new Map([[-0.05, 'old']]), Number.NEGATIVE_INFINITY);
    expect(scan.endings).toEqual([{ ref: 'old', threshold: -0.05, ts: 0.5, resolution: 'position-closed' }]);
    expect(scan.crossings.map((c) => [c.threshold, c.point, c.endedTs, c.resolution])).toEqual([
      [-0.05, 1, 2.5, 'position-closed'],
      [-0.1, 2, 2.5, 'position-closed'],
    ]);
  });

  it('lets an open episode of a threshold no longer configured recover, but never alerts for it', () => {
    const scan = scanEpisodes(observe(-0.5, -0.01), [-0.1], new Map([[-0.3, 7]]), Number.NEGATIVE_INFINITY);
    expect(scan.crossings.map((c) => c.threshold)).toEqual([-0.1]);
    expect(scan.endings).toEqual([{ ref: 7, threshold: -0.3, ts: 1, resolution: 'recovered' }]);
  });
});
