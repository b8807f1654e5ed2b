/**
 * The drawdown alert to a subscriber: which threshold the portfolio crossed, how far it is below
 * its peak and since when, each position's drawdown and what the strategy's exit rules say.
 */
import type { MailContent } from '../mail/mail-content.js';
import { formatDate, formatDays, formatMoney, formatPercent } from './report-format.js';
import type { DrawdownAlert } from './report-models.js';
import { checkedLink, DEFAULT_PIXEL_RATIO, equityImage, finiteOrNull, oneLine } from './report-view.js';
import { reportTemplates, type ReportTemplates } from './templates.js';

export interface AlertRenderOptions {
  readonly templates?: ReportTemplates;
  /** PNG pixels per CSS pixel of the inline chart (default 2). */
  readonly pixelRatio?: number;
}

/** @example const mail = renderDrawdownAlert(alert) // { subject, html, text, attachments: [equity-drawdown.png] } */
export function renderDrawdownAlert(alert: DrawdownAlert, options: AlertRenderOptions = {}): MailContent {
  const templates = options.templates ?? reportTemplates();
  const chart = equityImage(alert.performance ?? null, options.pixelRatio ?? DEFAULT_PIXEL_RATIO);
  const view = alertView(alert);
  return {
    subject: view.subject,
    html: templates.html('drawdown-alert', { ...view, charts: { equity: chart.view } }),
    text: templates.text('drawdown-alert', view),
    attachments: [chart.attachment],
  };
}

function alertView(alert: DrawdownAlert) {
  const currency = alert.portfolio.currency;
  const positions = [...alert.positions]
    .sort((a, b) => a.drawdown - b.drawdown)
    .map((p) => ({
      symbol: p.symbol,
      name: p.name ?? null,
      weight: finiteOrNull(p.weight),
      drawdown: p.drawdown,
      peakDate: p.peakDate ?? null,
      exitTriggered: p.exitTriggered,
      note: p.note ?? null,
    }));
  const exits = positions.filter((p) => p.exitTriggered).length;
  return {
    subject: oneLine(
      `${alert.portfolio.name}: ${alert.position ? `${alert.position} ` : ''}drawdown passed the ${formatPercent(alert.threshold, 0)} alert level on ${formatDate(alert.observedAt)} (${formatPercent(alert.drawdown)})`,
    ),
    title: `${alert.portfolio.name}: drawdown alert`,
    preheader: `${formatPercent(alert.drawdown)} below the peak on ${formatDate(alert.observedAt)}, ${formatPercent(alert.now.drawdown)} now; ${exits} of ${positions.length} positions met the exit rule.`,
    header: {
      kicker: 'Drawdown alert',
      heading: alert.portfolio.name,
      subheading: `As of ${formatDate(alert.asOf)} · data to ${formatDate(alert.dataAsOf)} (${alert.dataAgeDays === 0 ? 'today' : `${formatDays(alert.dataAgeDays)} old`}) · ${alert.portfolio.strategy}`,
    },
    glance: [
      {
        label: 'Drawdown then',
        value: formatPercent(alert.drawdown),
        note: `on ${formatDate(alert.observedAt)}, past ${formatPercent(alert.threshold, 0)}`,
        color: '#b42318',
      },
      {
        label: 'Drawdown now',
        value: formatPercent(alert.now.drawdown),
        note: `on ${formatDate(alert.dataAsOf)}`,
        color: alert.now.drawdown <= alert.threshold ? '#b42318' : '#1f2933',
      },
      {
        label: 'Peak on',
        value: formatDate(alert.peakDate),
        note: alert.peakValue ? `value ${formatMoney(alert.peakValue, currency)}` : '',
        color: '#1f2933',
      },
      {
        label: 'Value now',
        value: formatMoney(finiteOrNull(alert.value), currency),
        note: `${exits} exit ${exits === 1 ? 'signal' : 'signals'}`,
        color: '#1f2933',
      },
    ],
    portfolio: alert.portfolio,
    position: alert.position ?? null,
    subscriber: alert.subscriber ? { name: alert.subscriber.name } : null,
    asOf: alert.asOf,
    observedAt: alert.observedAt,
    now: alert.now,
    threshold: alert.threshold,
    drawdown: alert.drawdown,
    peakDate: alert.peakDate,
    peakValue: finiteOrNull(alert.peakValue),
    value: finiteOrNull(alert.value),
    currency,
    positions,
    hasPositions: positions.length > 0,
    exits,
    exitRules: alert.exitRules,
    dataAsOf: alert.dataAsOf,
    dataAgeDays: alert.dataAgeDays,
    performanceLabel: alert.performance?.label ?? null,
    unsubscribeUrl: checkedLink(alert.unsubscribeUrl, 'unsubscribeUrl'),
  };
}
