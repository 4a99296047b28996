"""A stand-in for Twenty's front-end consent route ``/authorize`` (2.21.0
packages/twenty-front/src/pages/auth/Authorize.tsx), so a browser can drive the whole OAuth flow
against the fake. Like the real page it reads ``client_id``/``clientId``, ``redirect_uri``/
``redirectUrl``, ``code_challenge``/``codeChallenge`` and ``state``; signs the user in first
(``getLoginTokenFromCredentials`` → ``getAuthTokensFromLoginToken`` on /metadata, as the sign-in
page does); runs ``findApplicationRegistrationByClientId`` (public) to name the app; and on
Authorize sends ``authorizeApp`` with the user's session token, then goes to the answered
``redirectUrl`` with ``theme`` appended (``appendThemeToUrl``). The GraphQL documents are the
front's own (``modules/auth/graphql/``).
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

DOCUMENTS = {
    "find": "query FindApplicationRegistrationByClientId($clientId: String!) { "
    "findApplicationRegistrationByClientId(clientId: $clientId) { id logoUrl name oAuthScopes websiteUrl } }",
    "login": "mutation($email: String!, $password: String!, $origin: String!) { "
    "getLoginTokenFromCredentials(email: $email, password: $password, origin: $origin) "
    "{ loginToken { token expiresAt } } }",
    "tokens": "mutation($loginToken: String!, $origin: String!) { "
    "getAuthTokensFromLoginToken(loginToken: $loginToken, origin: $origin) { tokens { "
    "accessOrWorkspaceAgnosticToken { token expiresAt } refreshToken { token expiresAt } } } }",
    "authorize": "mutation authorizeApp($clientId: String!, $codeChallenge: String, $redirectUrl: String!, "
    "$state: String) { authorizeApp(clientId: $clientId, codeChallenge: $codeChallenge, "
    "redirectUrl: $redirectUrl, state: $state) { redirectUrl } }",
}

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Twenty</title></head>
<body>
<h1 id="title">Connect <span id="app-name">…</span> to your account</h1>
<p id="error" role="alert" style="color:#b00020"></p>
<form id="signin">
  <label>Email <input id="email" type="email" autocomplete="username"></label>
  <label>Password <input id="password" type="password" autocomplete="current-password"></label>
  <button id="signin-button" type="submit">Sign in</button>
</form>
<div id="consent" hidden>
  <ul id="scopes"></ul>
  <button id="authorize" type="button">Authorize</button>
</div>
<script>
const DOCS = __DOCS__;
const params = new URLSearchParams(location.search);
const clientId = params.get('client_id') ?? params.get('clientId');
const codeChallenge = params.get('code_challenge') ?? params.get('codeChallenge');
const redirectUrl = params.get('redirect_uri') ?? params.get('redirectUrl');
const state = params.get('state');
let token = null;
async function gql(query, variables, bearer) {
  const headers = {'Content-Type': 'application/json'};
  if (bearer) headers['Authorization'] = 'Bearer ' + bearer;
  const r = await fetch('/metadata', {method: 'POST', headers, body: JSON.stringify({query, variables})});
  const body = await r.json();
  if (body.errors) throw new Error(body.errors[0].message);
  return body.data;
}
function fail(e) { document.getElementById('error').textContent = e.message || String(e); }
gql(DOCS.find, {clientId})
  .then(d => {
    const reg = d.findApplicationRegistrationByClientId;
    if (!reg) { fail('Not found'); return; }
    document.getElementById('app-name').textContent = reg.name;
    document.getElementById('scopes').innerHTML = reg.oAuthScopes.map(s => '<li>' + s + '</li>').join('');
  }).catch(fail);
document.getElementById('signin').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  try {
    const email = document.getElementById('email').value;
    const password = document.getElementById('password').value;
    const a = await gql(DOCS.login, {email, password, origin: location.origin});
    const loginToken = a.getLoginTokenFromCredentials.loginToken.token;
    const b = await gql(DOCS.tokens, {loginToken, origin: location.origin});
    token = b.getAuthTokensFromLoginToken.tokens.accessOrWorkspaceAgnosticToken.token;
    document.getElementById('signin').hidden = true;
    document.getElementById('consent').hidden = false;
  } catch (e) { fail(e); }
});
document.getElementById('authorize').addEventListener('click', async () => {
  try {
    const d = await gql(DOCS.authorize, {clientId, codeChallenge, redirectUrl, state}, token);
    const url = new URL(d.authorizeApp.redirectUrl);
    url.searchParams.set('theme', 'light');
    location.href = url.toString();
  } catch (e) { fail(e); }
});
</script></body></html>"""


async def authorize_page(request: Request) -> Response:
    return HTMLResponse(_PAGE.replace("__DOCS__", json.dumps(DOCUMENTS)))
