/**
 * The public API of momentum: what notebooks and users import (from the built `dist/src/index.js`).
 * @example
 *   import { openDatabase, ingest, CsvProvider, loadPanel } from 'momentum';
 *   const db = await openDatabase({ home: '.momentum' });
 *   await ingest(db, new CsvProvider({ path: 'data/' }), { symbols: ['SPY'], interval: '1d' });
 *   const panel = await loadPanel(db, { symbols: ['SPY'], interval: '1d', field: ['adj_close'] });
 */
export * from './errors.js';
export {
  readEnvironment,
  loadConfig,
  parseConfig,
  resolveUniverse,
  type Environment,
  type MomentumConfig,
  type Universe,
} from './config.js';
export { openDatabase, type Database, type OpenDatabaseOptions, type EngineKind } from './db/database.js';
export { migrate, readMigrations, type Migration, type MigrationResult } from './db/migrator.js';
export * from './data/bar.js';
export { parseCalendarDate, calendarDateSchema, calendarDateProblem } from './util/calendar-date.js';
export type { PriceProvider, BarRequest, CandidateBar, ProviderResult, UnparsedRow } from './data/providers/price-provider.js';
export { CsvProvider, type CsvProviderOptions } from './data/providers/csv-provider.js';
export { YahooProvider } from './data/providers/yahoo-provider.js';
export { SyntheticProvider, DEFAULT_SYNTHETIC_SEED, type SyntheticProviderOptions } from './data/providers/synthetic-provider.js';
export { createProvider, SOURCES, type Source, type ProviderOptions } from './data/providers/create-provider.js';
export {
  generateSyntheticMarket,
  syntheticInstruments,
  SYNTHETIC_SYMBOLS,
  SYNTHETIC_START,
  type Regime,
  type RegimeKind,
  type SyntheticMarket,
} from './data/synthetic-market.js';
export { validateBars, type RowIssue, type ValidationResult } from './data/validate-bars.js';
export { writeBars, type WriteCounts } from './data/bar-writer.js';
export { ingest, type IngestOptions, type IngestProgress, type IngestReport } from './data/ingest.js';
export { recentRuns, runIssues, type RunSummary, type SymbolOutcome } from './data/ingest-run-store.js';
export { dataSummary, getInstruments, latestBars, upsertInstruments, type SummaryRow } from './data/price-store.js';
export { loadPanel, PANEL_FIELDS, type Panel, type PanelField, type PanelRequest } from './data/panel.js';
export { loadCsvPanel, type CsvPanel } from './data/csv-panel.js';
export { panelFingerprint } from './data/fingerprint.js';
export { carryForward, assemblePanel } from './data/panel.js';
export {
  FUNDAMENTAL_FIELDS,
  PERIOD_TYPES,
  PUBLICATION_LAG_DAYS,
  type FundamentalField,
  type FundamentalValue,
  type PeriodType,
} from './data/fundamental.js';
export { loadFundamentals, firstBarSeeing, AS_OF_RULE, type FundamentalsPanel, type FundamentalsRequest } from './data/fundamentals.js';
export {
  loadStrategyData,
  placeEvents,
  dataUsed,
  type DataNeeds,
  type DataUsed,
  type PanelFundamentals,
  type Placed,
  type PointInTimeData,
} from './data/strategy-data.js';
export { importFundamentals, type FundamentalsImport } from './data/fundamentals-import.js';
export { storeFundamentals } from './data/fundamentals-store.js';
export { surprise, type AnalystAction, type EarningsEvent, type NewsHeadline, type RecommendationTrend } from './data/qualitative.js';
export {
  storeAnalystActions,
  storeEarningsEvents,
  storeNewsHeadlines,
  storeRecommendationTrends,
  loadAnalystActions,
  loadEarningsEvents,
  latestHeadlines,
} from './data/qualitative-store.js';
export { syntheticFundamentals, type SyntheticFundamentals } from './data/synthetic-fundamentals.js';

// Strategies
export { STRATEGIES, getStrategy, allStrategies, registerStrategy, strategySource, type StrategySource } from './strategies/registry.js';
// What a strategy file imports as 'momentum' (defineStrategy, z, the target and schedule helpers, the indicators).
export * from './strategies/strategy-kit.js';
export { isStrategy } from './strategies/define-strategy.js';
export { loadStrategyFile, loadStrategyFiles, type LoadedStrategyFile } from './strategies/strategy-files.js';
export {
  assertNoLookAhead,
  randomPanel,
  LookAheadError,
  type LookAheadOptions,
  type LookAheadReport,
} from './strategies/look-ahead-check.js';
export { resolveParams } from './strategies/strategy.js';
export { nominalSpacing } from './strategies/schedule.js';
export { buyAndHold, type BuyAndHoldParams } from './strategies/buy-and-hold.js';

// Backtests
export {
  runEngine,
  DEFAULT_ENGINE_OPTIONS,
  type EngineInput,
  type EngineOptions,
  type EngineResult,
  type Trade,
  type Fill,
} from './backtest/engine.js';
export { TransactionCost, NO_COSTS, type CostModel, type FillCash, type TradeCash } from './backtest/transaction-cost.js';
export { computeMetrics, type BacktestMetrics, type BenchmarkMetrics, type WarmUpMetrics } from './backtest/metrics.js';
export { riskFreeOn, loadRiskFree, type RiskFreeSeries } from './backtest/risk-free.js';
export { firstFullSignal } from './backtest/warm-up.js';
export { drawdownStats, type DrawdownStats } from './backtest/drawdown.js';
export { parseBacktestSpec, type BacktestSpec, type BacktestSpecInput } from './backtest/backtest-spec.js';
export { DEFAULT_COSTS } from './backtest/spec-schemas.js';
export {
  runBacktest,
  backtestOnPanel,
  loadBacktestData,
  type BacktestOutcome,
  type BacktestData,
  type TradeRecord,
} from './backtest/run-backtest.js';
export {
  storeBacktest,
  getBacktest,
  getBacktestTrades,
  listBacktests,
  deleteBacktest,
  type StoredBacktest,
  type BacktestSeries,
} from './backtest/backtest-store.js';
export { getBacktestSeries, rebuildSweepCurves } from './backtest/sweep-curves.js';
export { compareWithStored, type RerunComparison } from './backtest/rerun.js';
export { equityReturns, sharpeRatio, isConstantSpread, CONSTANT_RETURNS_TOLERANCE } from './backtest/return-statistics.js';
export {
  trialRun,
  trialConfig,
  strategyFamily,
  describeFamily,
  trialCount,
  type TrialRun,
  type TrialFamilyIdentity,
  type TrialConfig,
  type TrialSource,
} from './backtest/trial-registry.js';
export {
  recordTrials,
  listTrialFamilies,
  getTrialFamily,
  findTrialFamily,
  familyTrials,
  type StoredTrialFamily,
  type StoredTrial,
} from './backtest/trial-store.js';
export { runSweep, gridCombinations, parseGrid, type SweepGrid, type SweepResult, type SweepEntry } from './backtest/sweep.js';
export { smaCrossReference, momentumXsReference, readReferencePanel } from './backtest/reference.js';
export { tearsheetOf, type Tearsheet, type TearsheetInput } from './backtest/tearsheet.js';
export { loadTearsheetInput } from './backtest/tearsheet-input.js';
export { calendarReturns, monthlyTurnover, type CalendarReturns, type MonthReturn, type YearReturn } from './backtest/calendar-returns.js';
export { rollingStatistics, priceReturns, type RollingStatistics } from './backtest/rolling-statistics.js';
export { drawdownEpisodes, worstDrawdowns, type DrawdownEpisode, type DrawdownPeriod } from './backtest/drawdown-episodes.js';
export { returnDistribution, type ReturnDistribution } from './backtest/return-distribution.js';

// Reports
export { plotlyHtml, plotlyLoader, notebookPlotter, plotlyBundle, isoDates } from './report/plotly-html.js';
export { tearsheetHtml, loadTearsheets, renderTearsheet, type TearsheetRenderOptions } from './report/render-tearsheet.js';
export { tearsheetFigures, type TearsheetFigures, type PlotlyFigure } from './report/tearsheet-charts.js';
export { sweepHtml, loadSweepReport, renderSweep, type SweepReport, type SweepRenderOptions } from './report/render-sweep.js';
export {
  sweepHeatmap,
  sweptParams,
  paramValues,
  aggregateOf,
  formatMetric,
  SWEEP_METRICS,
  SWEEP_METRIC_KEYS,
  AGGREGATES,
  type SweepRow,
  type SweepHeatmap,
  type HeatmapOptions,
  type SweepMetricKey,
  type Aggregate,
} from './report/sweep-view.js';
export { sweepHeatmapFigure, sweepParallelFigure } from './report/sweep-charts.js';

// Notebooks: the set-up, checks and number formats they share
export {
  openNotebook,
  ingestSharedData,
  sharedDataDir,
  check,
  pct,
  num,
  usd,
  points,
  type NotebookSession,
  type SharedData,
} from './notebook/notebook-kit.js';
export { comparisonRows, metricsRows, type ComparisonRow, type MetricRow } from './report/metrics-rows.js';
export type {
  RebalanceReport,
  DrawdownAlert,
  JobFailure,
  PortfolioInfo,
  SubscriberInfo,
  HoldingRow,
  TradeRow,
  HoldingPeriod,
  ReportEvidence,
  ReportGateEvidence,
  KeyMetrics,
  PerformanceSeries,
  PositionDrawdown,
} from './report/report-models.js';
export { renderRebalanceReport, type RebalanceRenderOptions, type RenderedRebalance } from './report/render-rebalance.js';
export { renderDrawdownAlert, type AlertRenderOptions } from './report/render-alert.js';
export { renderJobFailure, type JobFailureRenderOptions } from './report/render-job-failure.js';
export { keyMetricsFromBacktest, keyMetricsFromComparison, gateEvidence, fromPortfolioEvidence } from './report/report-evidence.js';
export {
  equityDrawdownPng,
  equityDrawdownSvg,
  weightsChartPng,
  weightsChartSvg,
  weightsChartHeight,
  drawdownFromEquity,
  svgToPng,
  type ChartSize,
  type WeightBar,
} from './report/charts.js';
export { loadReportTemplates, reportTemplates, type ReportTemplates, type TemplateName } from './report/templates.js';

// Mail: subscribers, the outbox (idempotent, at most once per key) and its delivery (SMTP or .eml files)
export { composeMail, parseMailbox, headerText, type ComposeInput, type ComposedMail, type MailAddress } from './mail/mail-compose.js';
export { MailSendError, type MailTransport, type OutgoingMail } from './mail/mail-transport.js';
export { smtpTransport, parseSmtpUrl, type SmtpTransportOptions } from './mail/smtp-transport.js';
export { emlTransport, emlFileName } from './mail/eml-transport.js';
export { createMailTransport, mailFrom, outboxFolder, DEFAULT_MAIL_FROM } from './mail/mailer.js';
export {
  enqueueMail,
  listOutbox,
  getOutboxEntry,
  readOutboxMessage,
  requeueOutbox,
  rebalanceMailKey,
  alertMailKey,
  jobFailureMailKey,
  mailRefusedKey,
  MAIL_KINDS,
  type MailKind,
  type OutboxStatus,
  type OutboxEntry,
  type EnqueuedMail,
  type EnqueueMailInput,
  type ListOutboxOptions,
} from './mail/outbox-store.js';
export {
  deliverOutbox,
  backoffDelay,
  DEFAULT_BACKOFF,
  type Backoff,
  type DeliverOptions,
  type DeliveryReport,
  type DeliveryResult,
  type RefusedMail,
} from './mail/outbox-delivery.js';
export { deliverMail } from './report/deliver-mail.js';
export {
  addSubscriber,
  listSubscribers,
  activeSubscribers,
  unsubscribe,
  unsubscribeLink,
  parseSubscriberInput,
  DEFAULT_PUBLIC_URL,
  type Subscriber,
  type SubscriberInput,
  type ListSubscribersOptions,
  type UnsubscribeTarget,
} from './mail/subscriber-store.js';
export { enqueueSubscriberMail, type SubscriberMailInput } from './mail/subscriber-mail.js';

// Research: gates, out-of-sample simulation, walk-forward, overfitting statistics
export { DEFAULT_GATE_SETS, parseGateSet, resolveGateSet, type GateSet } from './research/gate-set.js';
export { evaluateGates, type GateCheck, type GateVerdict, type OverfittingStatistics, type FamilySummary } from './research/gates.js';
export {
  gateBacktest,
  gateBacktests,
  gateSweep,
  latestGateResults,
  statisticsOf,
  DEFAULT_PBO_BLOCKS,
  type StoredGateResult,
  type SweepVerdict,
} from './research/gate-runner.js';
export {
  simulateOutOfSample,
  listSimulations,
  compare,
  type Comparison,
  type SimulationResult,
  type StoredSimulation,
} from './research/simulate.js';
export {
  walkForwardOnData,
  windowBars,
  type WalkForwardOptions,
  type WalkForwardResult,
  type WalkForwardWindow,
  type WalkForwardTrade,
} from './research/walk-forward.js';
export { runWalkForward, getWalkForward, type StoredWalkForward } from './research/walk-forward-store.js';
export { probabilityOfBacktestOverfitting, type PboResult, type PboOptions } from './research/pbo.js';
export { familyOfBacktest, familyEvidence, recordSelection, type FamilyEvidence } from './research/trial-families.js';
export { sharpeStatistics, probabilisticSharpe, expectedMaxSharpe, deflatedSharpe } from './research/sharpe-statistics.js';
export { normalCdf, normalQuantile } from './research/normal.js';

// Multi-period optimisation (MPO)
export { optimizeMultiPeriod, runMultiPeriod, solveProblem, type MpoResponse, type MpoRun, type OptimizeOptions } from './mpo/optimize.js';
export { parseMpoRequest, MpoRequestError, type MpoRequest, type MpoParameters, type FieldProblem } from './mpo/mpo-request.js';
export {
  CASH,
  MPO_DEFAULTS,
  longOnlyProblem,
  startingWeights,
  type MpoProblem,
  type MpoRisk,
  type MpoSettings,
} from './mpo/mpo-problem.js';
export { planFirstStep } from './mpo/first-step.js';
export { buildMpoModel, type MpoModel } from './mpo/mpo-model.js';
export { LinearModel, type Var, type Term, type Sense } from './mpo/linear-model.js';
export { loadHighs, solveWithHighs } from './mpo/highs-solver.js';
export { loadGlpk, solveWithGlpk } from './mpo/glpk-solver.js';
export type { Solution, SolveStatus, SolverName } from './mpo/solver.js';

// Portfolios: generator, model portfolios, rebalancing, SIP
export {
  parsePortfolioRequest,
  SIP_FREQUENCIES,
  type PortfolioRequest,
  type PortfolioRequestInput,
  type SipPlan,
  type SipFrequency,
} from './portfolio/portfolio-spec.js';
export { portfolioTargets, type PortfolioTargets, type TargetHolding, type TargetOptions } from './portfolio/targets.js';
export {
  generatePortfolio,
  allocate,
  sipSchedule,
  addPeriods,
  type PortfolioProposal,
  type ProposedHolding,
  type SipInstallment,
} from './portfolio/generate.js';
export { gatherEvidence, describeEvidence, type Evidence } from './portfolio/evidence.js';
export {
  createPortfolio,
  rebalancePortfolio,
  duePortfolios,
  installmentsDue,
  type CreatedPortfolio,
  type RebalanceOptions,
  type RebalanceResult,
} from './portfolio/model-portfolio.js';
export {
  getPortfolio,
  listPortfolios,
  rebalances,
  type StoredPortfolio,
  type StoredRebalance,
  type RebalanceRecord,
  type HoldingRecord,
  type OrderRecord,
} from './portfolio/portfolio-store.js';
export { optimiseTargets } from './portfolio/mpo-targets.js';
export { strategySignal, nextRebalanceDate, type StrategySignal } from './portfolio/strategy-signal.js';
export { runSipBacktest, type SipRunRequest } from './portfolio/sip-run.js';
// Portfolio core (pure): whole shares, trade lists, SIP backtests, money- and time-weighted returns
export {
  allocateWholeShares,
  type WholeShareRequest,
  type WholeShareTarget,
  type WholeShareLine,
  type WholeShareAllocation,
} from './portfolio/whole-shares.js';
export {
  tradeList,
  type TradeListRequest,
  type TradeList,
  type Order,
  type Holding,
  type ValuedHolding,
  type HoldingAfter,
  type TargetWeight,
  type RebalanceMode,
} from './portfolio/trade-list.js';
export { contributionRebalance, fullRebalance, type RebalanceProblem, type RebalanceTrades } from './portfolio/contribution.js';
export {
  sipBacktest,
  installmentsFrom,
  type SipBacktestPlan,
  type SipBacktestResult,
  type SipEvent,
  type PlanOutcome,
} from './portfolio/sip-backtest.js';
export { xirr, timeWeightedReturn, annualise, daysBetween, type CashFlow, type Valuation } from './portfolio/cash-flows.js';

// Post-trade monitoring: value paths, drawdown alerts, drift, exit checks
export { monitorPortfolios, type MonitorOptions, type MonitorResult } from './monitor/monitor-portfolios.js';
export { listAlerts, type AlertQuery, type MonitorAlert } from './monitor/monitor-store.js';
export {
  monitorSettings,
  normaliseThresholds,
  defaultStaleDays,
  DEFAULT_THRESHOLDS,
  type MonitorSettings,
  type MonitorSettingsInput,
  type PriceBasis,
  type ThresholdSet,
} from './monitor/monitor-options.js';
export {
  portfolioPath,
  type MonitoredHolding,
  type MonitoredRebalance,
  type PortfolioPath,
  type PositionPath,
  type PriceTable,
} from './monitor/value-path.js';
export { portfolioState, type PortfolioMonitorState, type PositionState, type ExitSignal } from './monitor/portfolio-state.js';
export { weightDrift, type WeightDrift, type DriftRow } from './monitor/weight-drift.js';
export { scanEpisodes, recoveryLevel, type EpisodeEvent, type Crossing, type Resolution } from './monitor/alert-episodes.js';
export { planAlerts, type AlertDraft, type AlertScope, type OpenAlert } from './monitor/alert-plan.js';
export { strategyViewNow, strategyVerdict, trailingStopHit, type StrategyView, type StrategyVerdict } from './monitor/exit-criteria.js';
export { runningDrawdown } from './monitor/running-peak.js';
