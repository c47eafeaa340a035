// Notifications (docs/notifications.md): rules evaluated as a set difference over maintained
// posture, one notification per transition, delivered through the outbound guard.
export { type NotificationBody, notificationBody, slackBody, slackEscape, summaryLine } from './bodies.js';
export {
  type DeliverOptions,
  deliverNotification,
  deliveryBacklog,
  NotificationDeliveryError,
} from './deliver.js';
export { type Destination, destinationsOf, hostOf } from './destinations.js';
export {
  type EvaluateOptions,
  type EvaluateResult,
  evaluateNotifications,
  type RuleEvaluation,
} from './evaluate.js';
export { type Rule, ruleOf, scopeBody } from './rules.js';
export { type Diff, diffFacts, diffVulnerabilities, type Transition } from './transitions.js';
