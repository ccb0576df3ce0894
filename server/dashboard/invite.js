// The invite link's page: reads the invite from the address's fragment (never sent to a server by
// the browser) and asks this server what it is (team, role, expiry). It joins nothing and receives
// no token: joining happens in the extension's options page. Server text is only set as text.
/* global document, fetch, location */
'use strict';

const $ = (id) => document.getElementById(id);

async function show() {
  const invite = location.hash.replace(/^#/, '');
  if (!invite) {
    $('invite-status').textContent = '';
    $('invite-error').textContent =
      'This address holds no invitation: open the whole link you were sent (it ends with #cci_…).';
    return;
  }
  let res;
  let body = {};
  try {
    res = await fetch('/invite/preview', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ invite }),
    });
    body = await res.json().catch(() => ({}));
  } catch {
    $('invite-status').textContent = '';
    $('invite-error').textContent = 'The server did not answer; try again in a moment.';
    return;
  }
  $('invite-status').textContent = '';
  if (!res.ok) {
    $('invite-error').textContent = body.error ? `${body.error[0].toUpperCase()}${body.error.slice(1)}.` : '';
    $('invite-error').dataset.code = body.code || String(res.status);
    return;
  }
  $('invite-team').textContent = body.team;
  $('invite-role').textContent = body.role === 'admin' ? 'admin (may manage the team)' : 'member';
  $('invite-expires').textContent = new Date(body.expiresAt).toLocaleString();
  $('invite-uses').textContent = String(body.usesLeft);
  $('invite-details').hidden = false;
}

void show();
