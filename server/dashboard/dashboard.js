// The admin dashboard in the browser: sign-in with an admin token (kept in sessionStorage, sent as
// a Bearer header on every call), every discussion of the team with search as you type, filters,
// paging and export (the team API, docs/api.md), usage per site over time (Chart.js, with the same
// numbers in a table), live pages, members (change role, remove, erase), members' erasure requests
// (erase, decline), the team's retention, invite links (create, revoke), people waiting to join
// through single sign-on (approve, refuse) and
// users with their tokens (revoke, create). Text from the server is only
// ever set as text, never as HTML.
/* global document, sessionStorage, fetch, Chart, URLSearchParams, location */
'use strict';

const TOKEN_KEY = 'collab-chat-admin-token';
const HOUR_MS = 3_600_000;
const $ = (id) => document.getElementById(id);
let chart = null;
let timers = [];

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(path, options = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const res = await fetch(path, {
    ...options,
    headers: {
      authorization: `Bearer ${token}`,
      ...(options.body ? { 'content-type': 'application/json' } : {}),
    },
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, body.error || `the server answered ${res.status}`);
  return body;
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = String(text);
  if (className) td.className = className;
  return td;
}

const siteName = (site) => site || '(no page)';
const number = (n) => n.toLocaleString('en-US');
const time = (ms) => new Date(ms).toLocaleString();
/**
 * A person's name as the dashboard shows it: a removed member is marked as a former member; an erased
 * one (or anyone whose name the server no longer gives) is only "former member".
 */
const personName = (p) =>
  !p.name ? 'former member' : p.removed || p.removedAt ? `${p.name} (former member)` : p.name;
/** An author's or creator's name in the team's discussions: empty for a former member. */
const authorName = (name) => name || 'former member';

function showError(err) {
  if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
    signOut(err.message);
    return;
  }
  $('status').textContent = `Could not load: ${err.message}`;
}

async function loadUsage() {
  const hours = Number($('range').value);
  const metric = $('metric').value;
  const to = Date.now();
  const from = to - (hours - 1) * HOUR_MS;
  const data = await api(`/api/usage?from=${from}&to=${to}`);
  const start = Date.parse(data.from);
  const end = Date.parse(data.to);
  const slots = [];
  for (let h = start; h <= end; h += HOUR_MS) slots.push(h);
  const bySite = new Map();
  const totals = new Map();
  for (const row of data.rows) {
    if (!bySite.has(row.site)) bySite.set(row.site, new Array(slots.length).fill(0));
    bySite.get(row.site)[(Date.parse(row.hour) - start) / HOUR_MS] = row[metric];
    const t = totals.get(row.site) || { messages: 0, bytes: 0 };
    t.messages += row.pubSubMessageCount;
    t.bytes += row.pubSubBandwidth;
    totals.set(row.site, t);
  }
  const labels = slots.map((h) =>
    new Date(h).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }),
  );
  const datasets = [...bySite].map(([site, values]) => ({ label: siteName(site), data: values }));
  const canvas = $('usage-chart');
  // The plotted numbers, for assistive tools and tests that cannot read a canvas.
  canvas.dataset.series = JSON.stringify({ metric, labels, datasets });
  canvas.setAttribute(
    'aria-label',
    `${$('metric').selectedOptions[0].text} per hour for ${datasets.length} site(s); totals in the table below`,
  );
  if (typeof Chart === 'undefined') {
    $('status').textContent = 'The chart library did not load; the table below has the numbers.';
  } else if (chart) {
    chart.data.labels = labels;
    chart.data.datasets = datasets;
    chart.update();
  } else {
    chart = new Chart(canvas, {
      type: 'line',
      data: { labels, datasets },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true } },
        plugins: { legend: { position: 'bottom' } },
      },
    });
  }
  const body = $('usage-totals').tBodies[0];
  body.replaceChildren();
  for (const [site, t] of [...totals].sort((a, b) => b[1].messages - a[1].messages)) {
    const tr = document.createElement('tr');
    tr.dataset.site = site;
    tr.append(cell(siteName(site)), cell(number(t.messages), 'num'), cell(number(t.bytes), 'num'));
    body.append(tr);
  }
  if (totals.size === 0) {
    const tr = document.createElement('tr');
    const td = cell('No usage in this period.', 'muted');
    td.colSpan = 3;
    tr.append(td);
    body.append(tr);
  }
}

async function loadLive() {
  const live = await api('/api/live');
  $('live-connections').textContent = String(live.connections);
  const body = $('live-pages').tBodies[0];
  body.replaceChildren();
  for (const p of live.pages) {
    const tr = document.createElement('tr');
    tr.append(cell(p.page), cell(p.viewers, 'num'), cell(p.connections, 'num'));
    body.append(tr);
  }
}

async function loadUsers() {
  const { users } = await api('/api/users');
  const body = $('tokens').tBodies[0];
  body.replaceChildren();
  const select = $('new-token-user');
  const chosen = select.value;
  select.replaceChildren();
  loadMembers(users);
  for (const user of users) {
    if (user.removedAt === null) {
      const option = document.createElement('option');
      option.value = user.id;
      option.textContent = user.name;
      select.append(option);
    }
    for (const token of user.tokens) {
      const tr = document.createElement('tr');
      tr.dataset.tokenId = token.id;
      const status = document.createElement('td');
      if (token.revokedAt !== null) {
        status.textContent = `revoked ${time(token.revokedAt)}`;
      } else {
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = 'Revoke';
        button.setAttribute('aria-label', `Revoke token ${token.label || token.id} of ${user.name}`);
        button.addEventListener('click', () => confirmRevoke(status, token, user, button));
        status.append(button);
      }
      tr.append(
        cell(personName(user)),
        cell(token.label || token.id),
        cell(token.role),
        cell(time(token.createdAt)),
        cell(token.liveConnections, 'num'),
        status,
      );
      body.append(tr);
    }
  }
  if (chosen) select.value = chosen;
}

const AUDIT_KINDS = {
  'token-created': 'token created',
  'token-revoked': 'token revoked',
  'admin-delete': 'admin deleted',
  'delegated-write': 'write with a token made by an admin',
  'role-changed': 'role changed',
  'member-removed': 'member removed',
  'invite-created': 'invite link created',
  'invite-revoked': 'invite link revoked',
  'invite-redeemed': 'joined with an invite link',
  'sso-joined': 'joined by signing in',
  'sso-requested': 'asked to join by signing in',
  'sso-approved': 'request to join approved',
  'sso-refused': 'request to join refused',
  'retention-changed': 'retention changed',
  'retention-sweep': 'discussions past the retention removed',
  'member-erased': 'member erased',
  'erasure-requested': 'erasure requested',
  'erasure-declined': 'erasure request declined',
};

// ---- members: role and removal (both refused for the team's last admin, with the server's words)

function loadMembers(users) {
  const body = $('members').tBodies[0];
  // An open confirmation is not wiped by the periodic refresh; the next one after it catches up.
  if (body.querySelector('.confirm')) return;
  body.replaceChildren();
  for (const user of users) {
    const tr = document.createElement('tr');
    tr.dataset.userId = user.id;
    const live = user.tokens.filter((t) => t.revokedAt === null).length;
    const actions = document.createElement('td');
    if (user.erasedAt) {
      actions.textContent = `erased ${time(user.erasedAt)}`;
    } else if (user.removedAt !== null) {
      const removed = `removed ${time(user.removedAt)} `;
      actions.append(removed, eraseButton(actions, user, [removed]));
    } else {
      const other = user.role === 'admin' ? 'member' : 'admin';
      const roleButton = document.createElement('button');
      roleButton.type = 'button';
      roleButton.textContent = other === 'admin' ? 'Make admin' : 'Make member';
      roleButton.setAttribute('aria-label', `${roleButton.textContent}: ${user.name}`);
      roleButton.addEventListener('click', () => void changeRole(user, other, roleButton));
      const removeButton = document.createElement('button');
      removeButton.type = 'button';
      removeButton.textContent = 'Remove';
      removeButton.setAttribute('aria-label', `Remove ${user.name} from the team`);
      removeButton.addEventListener('click', () =>
        confirmRemove(actions, user, [roleButton, ' ', removeButton]),
      );
      const erase = eraseButton(actions, user, [roleButton, ' ', removeButton, ' ']);
      actions.append(roleButton, ' ', removeButton, ' ', erase);
    }
    tr.append(
      cell(personName(user)),
      cell(user.removedAt === null ? user.role : ''),
      cell(live, 'num'),
      cell(user.liveConnections, 'num'),
      cell(time(user.createdAt)),
      actions,
    );
    body.append(tr);
  }
}

async function changeRole(user, role, button) {
  button.disabled = true;
  const out = $('members-result');
  try {
    await api(`/api/users/${encodeURIComponent(user.id)}/role`, {
      method: 'POST',
      body: JSON.stringify({ role }),
    });
    out.textContent = `${user.name} is now ${role === 'admin' ? 'an admin' : 'a member'}.`;
    await Promise.all([loadUsers(), loadAudit()]);
  } catch (err) {
    button.disabled = false;
    if (err instanceof ApiError && err.status === 409) out.textContent = `Not changed: ${err.message}.`;
    else showError(err);
  }
}

/**
 * Asks in place before an action that cannot be undone: the cell shows the question with the action's
 * button and "Cancel", focus on Cancel (so a second Enter does not act by accident); Cancel or Escape
 * puts back what was there (`restore`). `act` runs on the confirming click.
 */
function askInCell(cell, { kind, id, question, confirm, confirmLabel, cancelLabel, restore, act }) {
  const box = document.createElement('div');
  box.className = 'confirm';
  box.setAttribute('role', 'group');
  box.dataset.confirm = kind;
  const text = document.createElement('span');
  text.id = id;
  text.textContent = question;
  box.setAttribute('aria-labelledby', text.id);
  const yes = document.createElement('button');
  yes.type = 'button';
  yes.className = 'danger';
  yes.textContent = confirm;
  yes.setAttribute('aria-label', confirmLabel);
  const no = document.createElement('button');
  no.type = 'button';
  no.textContent = 'Cancel';
  no.setAttribute('aria-label', cancelLabel);
  no.addEventListener('click', restore);
  box.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') restore();
  });
  yes.addEventListener('click', () => act({ yes, no, back: restore, box }));
  box.append(text, ' ', yes, ' ', no);
  cell.replaceChildren(box);
  no.focus();
}

/** Removing cannot be undone: the cell first asks, focus on Cancel (as for revoking a token). */
function confirmRemove(actionsCell, user, buttons) {
  askInCell(actionsCell, {
    kind: 'remove',
    id: `confirm-remove-${user.id}`,
    question: `Remove ${user.name} from the team? All their tokens are revoked and their live connections close at once. Their discussions stay, shown as a former member's.`,
    confirm: 'Remove member',
    confirmLabel: `Confirm: remove ${user.name}`,
    cancelLabel: `Cancel: keep ${user.name}`,
    restore: () => {
      actionsCell.replaceChildren(...buttons);
      buttons[buttons.length - 1].focus();
    },
    act: async ({ yes, no, back }) => {
      yes.disabled = true;
      no.disabled = true;
      const out = $('members-result');
      try {
        const result = await api(`/api/users/${encodeURIComponent(user.id)}/remove`, { method: 'POST' });
        out.textContent = `${user.name} was removed; ${result.revokedTokens} token(s) revoked, ${result.closedConnections} live connection(s) closed here.`;
        await Promise.all([loadUsers(), loadLive(), loadAudit()]);
      } catch (err) {
        back();
        if (err instanceof ApiError && err.status === 409) out.textContent = `Not removed: ${err.message}.`;
        else showError(err);
      }
    },
  });
}

// ---- erasing a member (their comments and lone discussions, their name), and members' requests

/** The "Erase…" button of a member: asks first, in the cell, focus on Cancel. */
function eraseButton(actionsCell, user, before) {
  const button = document.createElement('button');
  button.type = 'button';
  button.dataset.action = 'erase';
  button.textContent = 'Erase…';
  button.setAttribute('aria-label', `Erase ${personName(user)} and their content`);
  button.addEventListener('click', () => confirmErase(actionsCell, user, [...before, button]));
  return button;
}

function confirmErase(actionsCell, user, buttons) {
  askInCell(actionsCell, {
    kind: 'erase',
    id: `confirm-erase-${user.id}`,
    question: `Erase ${personName(user)}? ${
      user.removedAt === null ? 'They are removed from the team first (tokens revoked). ' : ''
    }Every comment they wrote disappears for everyone, as do discussions they started that nobody else replied to; replies of others stay. Their name goes too. This cannot be undone.`,
    confirm: 'Erase member',
    confirmLabel: `Confirm: erase ${personName(user)}`,
    cancelLabel: `Cancel: do not erase ${personName(user)}`,
    restore: () => {
      actionsCell.replaceChildren(...buttons);
      buttons[buttons.length - 1].focus();
    },
    act: async ({ yes, no, back, box }) => {
      yes.disabled = true;
      no.disabled = true;
      const out = $('members-result');
      try {
        const result = await api(`/api/users/${encodeURIComponent(user.id)}/erase`, { method: 'POST' });
        out.textContent = `${personName(user)} was erased: ${result.erased.comments} comment(s) and ${result.erased.discussions} discussion(s) removed for everyone.`;
        box.remove();
        await Promise.all([loadUsers(), loadErasureRequests(), loadAudit(), loadDiscussions()]);
      } catch (err) {
        back();
        if (err instanceof ApiError && (err.status === 409 || err.status === 404))
          out.textContent = `Not erased: ${err.message}.`;
        else showError(err);
      }
    },
  });
}

async function loadErasureRequests() {
  const body = $('erasure-requests').tBodies[0];
  if (body.querySelector('.confirm')) return;
  const { requests } = await api('/api/erasure-requests');
  body.replaceChildren();
  $('erasure-requests-none').hidden = requests.length > 0;
  $('erasure-requests').hidden = requests.length === 0;
  for (const r of requests) {
    const tr = document.createElement('tr');
    tr.dataset.userId = r.userId;
    const actions = document.createElement('td');
    const user = { id: r.userId, name: r.name, removedAt: null };
    const decline = document.createElement('button');
    decline.type = 'button';
    decline.textContent = 'Decline';
    decline.setAttribute('aria-label', `Decline the erasure request of ${personName(user)}`);
    decline.addEventListener('click', async () => {
      decline.disabled = true;
      try {
        await api(`/api/erasure-requests/${encodeURIComponent(r.userId)}/decline`, { method: 'POST' });
        $('erasure-requests-result').textContent = `The erasure request of ${personName(user)} was declined.`;
        await Promise.all([loadErasureRequests(), loadAudit()]);
      } catch (err) {
        decline.disabled = false;
        showError(err);
      }
    });
    actions.append(eraseButton(actions, user, [decline, ' ']), ' ', decline);
    tr.append(cell(personName(user)), cell(time(r.requestedAt)), actions);
    body.append(tr);
  }
}

// ---- retention: how long discussions live after their last activity (off by default)

async function loadRetention() {
  const { days } = await api('/api/retention');
  $('retention-state').textContent =
    days === null
      ? 'Off: discussions are kept until someone deletes them.'
      : `Discussions without activity for ${days} day(s) are removed.`;
  if (document.activeElement !== $('retention-days'))
    $('retention-days').value = days === null ? '' : String(days);
}

async function saveRetention(days) {
  const out = $('retention-result');
  try {
    const result = await api('/api/retention', { method: 'POST', body: JSON.stringify({ days }) });
    out.textContent =
      result.days === null
        ? 'Retention turned off.'
        : `Saved. ${result.removed} discussion(s) past it were removed now.`;
    await Promise.all([loadRetention(), loadAudit(), loadDiscussions()]);
  } catch (err) {
    if (err instanceof ApiError && err.status === 400) out.textContent = `Not saved: ${err.message}.`;
    else showError(err);
  }
}

// ---- invite links

const INVITE_STATES = {
  active: 'active',
  expired: 'expired',
  'used-up': 'used up',
  revoked: 'revoked',
};

async function loadInvites() {
  const { invites } = await api('/api/invites');
  const body = $('invites').tBodies[0];
  body.replaceChildren();
  for (const invite of invites) {
    const tr = document.createElement('tr');
    tr.dataset.inviteId = invite.id;
    const actions = document.createElement('td');
    if (invite.state === 'active') {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = 'Revoke';
      button.setAttribute(
        'aria-label',
        `Revoke the ${invite.role} invite link made ${time(invite.createdAt)}`,
      );
      button.addEventListener('click', async () => {
        button.disabled = true;
        try {
          await api(`/api/invites/${encodeURIComponent(invite.id)}/revoke`, { method: 'POST' });
          $('new-invite-result').textContent = 'Invite link revoked: nobody can join with it any more.';
          await Promise.all([loadInvites(), loadAudit()]);
        } catch (err) {
          button.disabled = false;
          showError(err);
        }
      });
      actions.append(button);
    }
    tr.append(
      cell(time(invite.createdAt)),
      cell(invite.role),
      cell(time(invite.expiresAt)),
      cell(`${invite.uses} of ${invite.maxUses}`),
      cell(INVITE_STATES[invite.state] ?? invite.state),
      actions,
    );
    body.append(tr);
  }
}

const REQUEST_STATES = { waiting: 'waiting', approved: 'approved', refused: 'refused' };

/** People waiting to join through single sign-on (shown only when the server has it set up). */
async function loadSsoRequests() {
  const { enabled, requests } = await api('/api/sso/requests');
  $('sso-section').hidden = !enabled;
  const body = $('sso-requests').tBodies[0];
  body.replaceChildren();
  for (const request of requests) {
    const tr = document.createElement('tr');
    tr.dataset.requestId = request.id;
    const actions = document.createElement('td');
    if (request.state === 'waiting') {
      for (const [verb, label, done] of [
        ['approve', 'Approve', 'is now a member; they sign in again to start'],
        ['refuse', 'Refuse', 'was refused; they are told at their next sign-in'],
      ]) {
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = label;
        button.setAttribute('aria-label', `${label} ${request.email}`);
        button.addEventListener('click', async () => {
          for (const b of actions.querySelectorAll('button')) b.disabled = true;
          try {
            await api(`/api/sso/requests/${encodeURIComponent(request.id)}/${verb}`, { method: 'POST' });
            $('sso-result').textContent = `${request.email} ${done}.`;
            await Promise.all([loadSsoRequests(), loadUsers(), loadAudit()]);
          } catch (err) {
            for (const b of actions.querySelectorAll('button')) b.disabled = false;
            $('sso-result').textContent = `Could not ${verb} ${request.email}: ${err.message}`;
          }
        });
        actions.append(button);
      }
    }
    tr.append(
      cell(request.email),
      cell(request.name),
      cell(time(Date.parse(request.requestedAt))),
      cell(REQUEST_STATES[request.state] ?? request.state),
      actions,
    );
    body.append(tr);
  }
}

async function loadAudit() {
  const { entries } = await api('/api/audit?limit=100');
  const body = $('audit').tBodies[0];
  body.replaceChildren();
  for (const e of entries) {
    const tr = document.createElement('tr');
    const where = e.page
      ? `${e.page} · ${e.chatId}${e.commentId ? ` · ${e.commentId}` : ''} (seq ${e.seq})`
      : '';
    tr.append(
      cell(time(Date.parse(e.at))),
      cell(`${AUDIT_KINDS[e.kind] ?? e.kind}: ${e.detail}`),
      cell(e.actor ? personName(e.actor) : e.kind === 'retention-sweep' ? 'the server' : 'operator (CLI)'),
      cell(e.subject ? personName(e.subject) : ''),
      cell(e.tokenId ?? ''),
      cell(where),
    );
    body.append(tr);
  }
}

/**
 * Revoking cannot be undone and closes the user's live connections at once, so the button first asks,
 * in place: the cell shows what will happen with "Revoke token" and "Cancel" (focus on Cancel, so a
 * second Enter does not revoke by accident).
 */
function confirmRevoke(cell, token, user, revokeButton) {
  const name = token.label || token.id;
  askInCell(cell, {
    kind: 'revoke',
    id: `confirm-${token.id}`,
    question: `Revoke ${user.name}'s token "${name}"? Their live connections close at once and it cannot be undone.`,
    confirm: 'Revoke token',
    confirmLabel: `Confirm: revoke token ${name} of ${user.name}`,
    cancelLabel: `Cancel: keep token ${name} of ${user.name}`,
    restore: () => {
      cell.replaceChildren(revokeButton);
      revokeButton.focus();
    },
    act: ({ yes, no }) => {
      no.disabled = true;
      void revoke(token.id, yes, () => (no.disabled = false));
    },
  });
}

async function revoke(tokenId, button, onFailure = () => {}) {
  button.disabled = true;
  try {
    const result = await api(`/api/tokens/${encodeURIComponent(tokenId)}/revoke`, { method: 'POST' });
    $('status').textContent = `Token revoked; ${result.closedConnections} live connection(s) closed.`;
    await Promise.all([loadUsers(), loadLive(), loadAudit()]);
  } catch (err) {
    button.disabled = false;
    onFailure();
    showError(err);
  }
}

// ---- discussions (search as you type; the newest request's answer wins)
let discussionsNext = null;
let discussionsRequest = 0;
let discussionsTimer;

function dayBound(value, end) {
  if (!value) return '';
  const [y, m, d] = value.split('-').map(Number);
  return String(end ? new Date(y, m - 1, d + 1).getTime() - 1 : new Date(y, m - 1, d).getTime());
}

function discussionFilters() {
  const params = new URLSearchParams();
  const site = $('discussions-site').value.trim();
  if (site) params.set('site', site);
  const state = $('discussions-state').value;
  if (state) params.set('state', state);
  // "Me" is the one whose token signed in to the dashboard.
  if ($('discussions-mine').checked) params.set('mine', '1');
  if ($('discussions-took-part').checked) params.set('author', 'me');
  if ($('discussions-mentions').checked) params.set('mentions', 'me');
  const from = dayBound($('discussions-from').value, false);
  const to = dayBound($('discussions-to').value, true);
  if (from) params.set('from', from);
  if (to) params.set('to', to);
  return params;
}

/** Marked segments as text nodes, matches in <mark>. */
function marked(parent, segments) {
  for (const s of segments) {
    if (s.hit) {
      const m = document.createElement('mark');
      m.textContent = s.text;
      parent.append(m);
    } else parent.append(s.text);
  }
}

function discussionItem(e) {
  const li = document.createElement('li');
  const a = document.createElement('a');
  // The discussion's link: with the extension the thread opens; without it the quote is scrolled to.
  a.href = e.link || e.page;
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  if (e.titleMarked) marked(a, e.titleMarked);
  else a.textContent = e.title || e.page;
  const quote = document.createElement('blockquote');
  marked(quote, e.quote);
  const text = document.createElement('p');
  marked(text, e.text);
  const meta = document.createElement('p');
  meta.className = 'meta';
  meta.textContent = `${e.who} · ${time(e.at)}${e.comments === null ? '' : ` · ${e.comments} comments`}${
    e.resolvedBy ? ` · resolved by ${e.resolvedBy}` : ''
  }`;
  li.append(a, ' ', new URL(e.page).host, quote, text, meta);
  return li;
}

const plain = (text) => (text ? [{ text, hit: false }] : []);

async function loadDiscussions(more = false) {
  const id = ++discussionsRequest;
  const q = $('discussions-q').value.trim();
  const params = discussionFilters();
  let entries;
  let next = null;
  if (q) {
    params.set('q', q);
    params.set('limit', '30');
    const { hits } = await api(`/api/search?${params}`);
    entries = hits.map((h) => ({
      page: h.page,
      link: h.link,
      resolvedBy: h.resolved ? authorName(h.resolved.by.name) : null,
      title: h.title,
      titleMarked: h.titleMarked,
      quote: h.quoteMarked,
      text: h.comment ? h.comment.snippet : [],
      who: h.comment ? authorName(h.comment.author.name) : '',
      at: h.comment ? h.comment.at : h.lastActivityAt,
      comments: null,
    }));
  } else {
    params.set('limit', '25');
    if (more && discussionsNext) params.set('cursor', discussionsNext);
    const listing = await api(`/api/discussions?${params}`);
    entries = listing.discussions.map((d) => ({
      page: d.page,
      link: d.link,
      resolvedBy: d.resolved ? authorName(d.resolved.by.name) : null,
      title: d.title,
      titleMarked: null,
      quote: plain(d.quote),
      text: plain(d.preview),
      who: authorName(d.creator.name),
      at: d.lastActivityAt,
      comments: d.commentCount,
    }));
    next = listing.next;
  }
  if (id !== discussionsRequest) return;
  discussionsNext = next;
  $('discussions-more').hidden = !next;
  const list = $('discussions');
  if (!more) list.replaceChildren();
  list.append(...entries.map(discussionItem));
  $('discussions-status').textContent =
    list.children.length === 0
      ? q
        ? 'Nothing your team wrote matches these words.'
        : 'No discussions yet.'
      : '';
}

function discussionsSoon() {
  clearTimeout(discussionsTimer);
  discussionsTimer = setTimeout(() => refresh([() => loadDiscussions()]), 150);
}

/** Downloads an export with the token (a plain link could not send it). */
async function download(format) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const res = await fetch(`/api/export?format=${format}&${discussionFilters()}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok)
    throw new ApiError(res.status, (await res.json().catch(() => ({}))).error || `HTTP ${res.status}`);
  const name =
    /filename="([^"]+)"/.exec(res.headers.get('content-disposition') || '')?.[1] || `export.${format}`;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

async function refresh(what) {
  try {
    await Promise.all(what.map((load) => load()));
  } catch (err) {
    showError(err);
  }
}

async function signIn(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  try {
    const me = await api('/api/me');
    $('team-name').textContent = `— ${me.tenant.name}`;
  } catch (err) {
    signOut(err.message);
    return;
  }
  $('sign-in').hidden = true;
  $('app').hidden = false;
  $('sign-out').hidden = false;
  $('status').textContent = '';
  await refresh([
    loadUsage,
    loadLive,
    loadUsers,
    loadInvites,
    loadSsoRequests,
    loadAudit,
    loadRetention,
    loadErasureRequests,
    () => loadDiscussions(),
  ]);
  timers = [
    setInterval(
      () => refresh([loadLive, loadUsers, loadInvites, loadSsoRequests, loadAudit, loadErasureRequests]),
      5000,
    ),
    setInterval(() => refresh([loadUsage]), 30000),
  ];
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  for (const t of timers) clearInterval(t);
  timers = [];
  $('app').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in').hidden = false;
  $('team-name').textContent = '';
  $('sign-in-error').textContent = message || '';
}

$('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = $('token').value.trim();
  $('token').value = '';
  $('sign-in-error').textContent = '';
  void signIn(token);
});
$('sign-out').addEventListener('click', () => signOut(''));
$('range').addEventListener('change', () => refresh([loadUsage]));
$('discussions-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void refresh([() => loadDiscussions()]);
});
for (const id of ['discussions-q', 'discussions-site']) $(id).addEventListener('input', discussionsSoon);
for (const id of [
  'discussions-from',
  'discussions-to',
  'discussions-state',
  'discussions-mine',
  'discussions-took-part',
  'discussions-mentions',
])
  $(id).addEventListener('change', discussionsSoon);
$('discussions-more').addEventListener('click', () => refresh([() => loadDiscussions(true)]));
for (const format of ['jsonld', 'csv'])
  $(`export-${format}`).addEventListener('click', (event) => {
    event.preventDefault();
    download(format).catch(showError);
  });
$('metric').addEventListener('change', () => refresh([loadUsage]));
$('retention-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const value = $('retention-days').value.trim();
  void saveRetention(value === '' ? null : Number(value));
});
$('retention-off').addEventListener('click', () => void saveRetention(null));
$('new-token-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const out = $('new-token-result');
  try {
    const created = await api('/api/tokens', {
      method: 'POST',
      body: JSON.stringify({
        userId: $('new-token-user').value,
        role: $('new-token-role').value,
        label: $('new-token-label').value,
      }),
    });
    out.replaceChildren('New token (shown once, copy it now): ');
    const code = document.createElement('code');
    code.textContent = created.secret;
    out.append(code);
    $('new-token-label').value = '';
    await Promise.all([loadUsers(), loadAudit()]);
  } catch (err) {
    out.textContent = `Could not create the token: ${err.message}`;
  }
});

$('new-invite-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const out = $('new-invite-result');
  try {
    const created = await api('/api/invites', {
      method: 'POST',
      body: JSON.stringify({
        role: $('new-invite-role').value,
        expiresInHours: Number($('new-invite-hours').value),
        maxUses: Number($('new-invite-uses').value),
      }),
    });
    // The link is on this server's own origin; its secret is in the fragment, never sent to a server.
    const link = `${location.origin}${created.path}`;
    out.replaceChildren('New invite link (shown once, copy it now): ');
    const code = document.createElement('code');
    code.id = 'new-invite-link';
    code.textContent = link;
    out.append(code);
    await Promise.all([loadInvites(), loadAudit()]);
  } catch (err) {
    out.textContent = `Could not create the invite link: ${err.message}`;
  }
});

const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) void signIn(saved);
