// The web dashboard: server-rendered pages on the API's app (docs/api.md "Dashboard").
export { DASHBOARD_CSP, isDashboardRequest, registerDashboard } from './dashboard.js';
export { SessionStore } from './sessions.js';
