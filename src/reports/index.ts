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
export {
  IMAGE_REPORT_FORMATS,
  type ImageReportFormat,
  type ImageReportOptions,
  type RenderedReport,
  renderImageReport,
} from './image-report/index.js';
export { type OutboundRequest, postOutbound } from './outbound.js';
