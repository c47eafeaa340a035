// Reports: posture leaving Runsight — scope reports (HTML, CSV, JSON), per-image documents (SARIF,
// CycloneDX, OpenVEX), Prometheus metrics, notifications, and the outbound guard they send through.
export type {
  MetricsConfig,
  NotificationEvent,
  NotificationRuleConfig,
  OutboundConfig,
  ScheduledReportConfig,
  WebhookConfig,
} from './config.js';
export { csvCell, csvRecord, UTF8_BOM } from './csv.js';
export { escapeHtml, Markup, markup } from './html-escape.js';
export {
  IMAGE_REPORT_FORMATS,
  type ImageReportFormat,
  type ImageReportOptions,
  type RenderedReport,
  renderImageReport,
} from './image-report/index.js';
export { type JobRunEvent, noteJobRun, onJobRun } from './metrics/job-events.js';
export { observeHttpRequest, processMetrics, routeTemplate } from './metrics/process-metrics.js';
export {
  DEFAULT_LABEL_CAP,
  METRICS_CONTENT_TYPE,
  OTHER,
  renderMetrics,
  type ScrapeOptions,
  scrapeRegistry,
  UNSET,
} from './metrics/scrape.js';
export {
  type MetricsListen,
  type MetricsServer,
  type MetricsServerOptions,
  parseMetricsListen,
  startMetricsServer,
} from './metrics/server.js';
export {
  checkDestination,
  OutboundError,
  type OutboundFailure,
  type OutboundRequest,
  postOutbound,
  SIGNATURE_HEADER,
  signatureHeader,
  USER_AGENT,
} from './outbound.js';
export { type AddressClass, classifyAddress } from './outbound-address.js';
export * from './posture-report/index.js';
