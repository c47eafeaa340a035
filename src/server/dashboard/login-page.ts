// `/login`: paste an API token (`rs_…`) or an OIDC ID token; the form carries a CSRF token that
// must equal the pre-login cookie (double submit). The token itself is never echoed back. With
// `server.oidc.clientId` configured the page first offers "Sign in with SSO" (/login/oidc, sso.ts).
import { href, html } from './html.js';

export function loginHtml(csrf: string, next: string, error?: string, sso = false): string {
  return `<!doctype html>${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Runsight</title><link rel="stylesheet" href="/static/dashboard.css"></head>
<body><main id="main" class="login"><h1>Sign in to Runsight</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
${sso ? html`<p><a class="button" href="${href('/login/oidc', { next })}">Sign in with SSO</a></p><p class="hint">Or paste a token:</p>` : ''}
<form method="post" action="/login"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="next" value="${next}">
<p><label for="token">API token (<code>runsight token create</code>) or OIDC ID token</label></p>
<p><textarea id="token" name="token" rows="3" required autocomplete="off" spellcheck="false"></textarea></p>
<p><button type="submit">Sign in</button></p></form>
<p class="hint">The token is checked once; the browser then holds only a session cookie (8 hours).</p></main></body></html>`}`;
}
