// DynAPI admin: sign-in, tables overview, permissions. Vanilla ES2020.
// The access token lives in this closure only; the refresh token is an HttpOnly cookie (path /admin).
'use strict';
(() => {
const { $, add, h } = window.DynAPIDom;
const muted = (text) => h('span', { class: 'muted', text });
const code = (text) => h('code', { text });
const plural = (n, one, many) => `${n} ${n === 1 ? one : many || one + 's'}`;
const FLAGS = ['create', 'read', 'update', 'delete'];
const S = { access: null, user: null, timer: 0, refreshing: null, tables: null, users: null, roles: null,
  rows: [], selected: new Set(), changed: new Set(), view: null };

// ---------- HTTP and session ----------
async function send(method, path, body, auth) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (auth) init.headers.Authorization = `Bearer ${S.access}`;
  if (body !== undefined) { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
  const r = await fetch(path, init);
  const text = await r.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = { message: text.slice(0, 300) }; }
  return { status: r.status, ok: r.ok, data: data || {} };
}
function setSession(d) {
  S.access = d.access; S.user = d.user || S.user;
  clearTimeout(S.timer);
  let c = null;
  try { c = JSON.parse(atob(S.access.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))); } catch (e) { /* opaque token */ }
  // Renew at 80 % of the token's life, measured by its own iat/exp (immune to clock skew).
  S.timer = setTimeout(refresh, c && c.exp && c.iat ? Math.max(1000, (c.exp - c.iat) * 800) : 240000);
  $('who-name').textContent = S.user ? S.user.username : '';
  $('who').hidden = $('nav').hidden = false;
}
function clearSession() {
  clearTimeout(S.timer);
  S.access = S.user = S.tables = S.users = S.roles = null;
  $('who').hidden = $('nav').hidden = true;
}
function refresh() {
  return S.refreshing || (S.refreshing = (async () => {
    try {
      const r = await send('POST', '/admin/session/refresh');
      if (r.ok && r.data.access) { setSession(r.data); return true; }
      if (r.status === 401 || r.status === 403) {
        // Signed in until now (the timer's renewal failed): back to the form, saying why.
        const ended = S.access && S.view !== 'login';
        clearSession();
        if (ended) {
          show('login');
          say($('login-error'), r.status === 403 ? r.data.message || 'This page is for admin users only.' : 'Your session has ended. Please sign in again.', 'err');
        }
      }
      return false;
    } catch (e) { return false; } finally { S.refreshing = null; }
  })());
}
// An admin API call: on a 401, refresh the session and retry once. Throws {status, body, message}.
async function api(method, path, body) {
  let r = await send(method, path, body, true);
  if (r.status === 401 && await refresh()) r = await send(method, path, body, true);
  if (r.ok) return r.data;
  if (r.status === 401) {
    clearSession(); show('login');
    say($('login-error'), 'Your session has ended. Please sign in again.', 'err');
  }
  throw Object.assign(new Error(r.data.message || `Request failed (HTTP ${r.status}).`), { status: r.status, body: r.data });
}

// ---------- messages ----------
function say(node, text, kind, extra) {
  node.className = `msg ${kind || ''}`;
  node.replaceChildren(h('span', null, text, extra || []));
}
function sayError(node, err, what) {
  const b = err.body || {};
  say(node, `${what}${err.status ? ` (HTTP ${err.status})` : ''}: ${err.message}`, 'err', [
    b.details && h('span', { class: 'detail', text: b.details }),
    b.hint && h('span', { class: 'detail', text: `Hint: ${b.hint}` }),
    b.errors && h('ul', null, Object.entries(b.errors).map(([f, m]) => h('li', null, code(f), ': ', [].concat(m).join(' ')))),
  ]);
}

// ---------- views ----------
function hashRoute() {
  const raw = location.hash.slice(1), i = raw.indexOf('?');
  const name = i < 0 ? raw : raw.slice(0, i);
  return { name: name === 'permissions' ? name : 'overview', params: new URLSearchParams(i < 0 ? '' : raw.slice(i + 1)) };
}
function show(view) {
  for (const v of ['login', 'overview', 'permissions']) $(`view-${v}`).hidden = v !== view;
  $('loading').hidden = true;
  for (const v of ['overview', 'permissions']) {
    if (v === view) $(`nav-${v}`).setAttribute('aria-current', 'page'); else $(`nav-${v}`).removeAttribute('aria-current');
  }
  document.title = `${{ login: 'Sign in', overview: 'Tables', permissions: 'Permissions' }[view]} · DynAPI admin`;
  // A new view moves the focus to its heading, so screen readers announce it.
  if (S.view && S.view !== view) { const t = document.querySelector(`#view-${view} h1`); t.tabIndex = -1; t.focus(); }
  S.view = view;
}
async function route() {
  if (!S.access) { show('login'); $('login-username').focus(); return; }
  const { name, params } = hashRoute();
  show(name);
  try {
    if (name === 'permissions') await loadPermissions(params); else await loadOverview();
  } catch (err) {
    if (err.status !== 401) sayError($(name === 'permissions' ? 'perm-summary' : 'overview-status'), err, 'Could not load the data');
  }
}

// ---------- lookups (read anew on each view, so changes made elsewhere show) ----------
async function lookups() {
  const sorted = (list, key) => [].concat(list).sort((a, b) => String(a[key]).localeCompare(b[key]));
  [S.tables, S.users, S.roles] = await Promise.all([api('GET', '/api/admin/overview/').then(showReadOnly),
    api('GET', '/api/users/').then((d) => sorted(d, 'username')), api('GET', '/api/roles/').then((d) => sorted(d, 'name'))]);
}
// A database that refuses writes (a hot standby) says so on every view: changes made here would be refused.
function showReadOnly(overview) {
  const note = $('read-only');
  note.textContent = overview.read_only
    ? `This database is read-only${overview.standby ? ' (a hot standby)' : ''}: everything can be seen here, nothing changed. Make changes through a sidecar on the primary.`
    : '';
  return overview.tables || [];
}
// The order a plain sort() of the names gave, so the lists keep theirs.
const servedTables = () => S.tables.filter((t) => !t.internal && t.endpoint).sort((a, b) => (a.name < b.name ? -1 : +(a.name > b.name)));
const served = () => servedTables().map((t) => t.name);
const find = (list, id) => (list || []).find((x) => String(x.id) === String(id));
const userName = (id) => (find(S.users, id) || { username: `#${id}` }).username;
const roleName = (id) => (find(S.roles, id) || { name: `#${id}` }).name;
const endpoint = (name) => { const t = (S.tables || []).find((x) => x.name === name); return t && t.endpoint; };
const endpointCell = (ep) => h('td', { class: 'wide' }, ep ? code(ep) : muted('Not served'));
function fillSelect(sel, items, value = sel.value) {
  sel.replaceChildren(sel.options[0], ...items.map(([v, text]) => h('option', { value: String(v), text })));
  if (value && ![...sel.options].some((o) => o.value === value)) sel.append(h('option', { value, text: value }));
  sel.value = value || '';
}
// Each cell gets its column's name, shown above the value when narrow screens reflow the table.
function labels(table) {
  const heads = [...table.tHead.rows[0].cells].map((c) => (c.querySelector('input') ? '' : c.textContent.trim()));
  for (const tr of table.tBodies[0].rows) [...tr.cells].forEach((c, i) => { if (heads[i] && c.colSpan === 1) c.dataset.label = heads[i]; });
}

// ---------- overview ----------
const EVENT_MODES = {
  notify: 'Writers append to the change log and NOTIFY: lowest latency; notifying commits serialise on one lock',
  log: 'Writers only append to the change log; sidecars poll it: writers never wait on each other',
  off: 'No events for this table',
};
const badge = (text, kind) => h('span', { class: `badge ${kind}`, text });
const item = (tag, name, def) => h('li', null, tag && [h('span', { class: 'tag', text: tag }), ' '], h('strong', { text: name }), h('span', { class: 'def', text: def }));
function hooks(t) {
  const items = (t.checks || []).map((c) => item(((/^(PRIMARY KEY|FOREIGN KEY|UNIQUE|EXCLUDE|CHECK)/i.exec(c.definition) || ['CHECK'])[0]).toUpperCase(), c.name, c.definition))
    .concat((t.triggers || []).map((tr) => item('TRIGGER', tr.name, `${tr.timing || ''} ${[].concat(tr.events || []).join(' OR ')} → ${tr.function || ''}`)));
  return items.length ? h('ul', { class: 'plain' }, items) : muted('None');
}
function actions(t) {
  const a = t.actions || [];
  // The function without its public schema and argument list (the full signature is the tooltip).
  const fn = (f) => String(f || '').replace(/\(.*$/, '').replace(/^public\./, '');
  return a.length ? h('ul', { class: 'plain' }, a.map((x) => Object.assign(item('', x.name, `runs ${fn(x.function)} · needs ${x.required_permission} permission`),
    { title: x.function }))) : muted('None');
}
function tableRow(t) {
  const count = (v) => String(Array.isArray(v) ? v.length : v || 0);
  return h('tr', { 'data-table': t.name, 'data-filter': t.internal ? null : filterKey(t) },
    h('th', { scope: 'row' }, h('code', { class: 'name', text: t.name }), t.label && t.label !== t.name && h('span', { class: 'sub', text: t.label }),
      !t.internal && h('a', { class: 'manage', href: `#permissions?table=${encodeURIComponent(t.name)}`, 'aria-label': `Manage permissions of ${t.name}`, text: 'Manage permissions' })),
    h('td', { class: 'wide' }, h('span', { class: 'badges' }, t.internal ? badge('Internal', 'neutral') : badge('Business', 'info'),
      t.exposed && t.endpoint ? badge('Exposed', 'ok') : badge('Not exposed', 'off'), t.kind && t.kind !== 'table' && badge(t.kind[0].toUpperCase() + t.kind.slice(1).replace(/_/g, ' '), 'neutral'),
      t.events && Object.assign(badge(`Events: ${t.events}`, t.events === 'off' ? 'off' : 'neutral'), { title: EVENT_MODES[t.events] || '' }))),
    h('td', { class: 'num', text: count(t.columns) }), h('td', { class: 'num', text: count(t.permissions) }),
    endpointCell(t.endpoint), h('td', { class: 'wide' }, hooks(t)), h('td', { class: 'wide' }, actions(t)));
}
async function loadOverview() {
  await lookups();
  const all = [...S.tables].sort((a, b) => a.name.localeCompare(b.name));
  const biz = all.filter((t) => !t.internal), internal = all.filter((t) => t.internal);
  $('business-table').tBodies[0].replaceChildren(...(biz.length ? biz.map(tableRow)
    : [h('tr', null, h('td', { colSpan: 7, class: 'empty', text: 'No tables in the served schemas yet.' }))]));
  $('internal-table').tBodies[0].replaceChildren(...internal.map(tableRow));
  labels($('business-table')); labels($('internal-table'));
  $('business-count').textContent = `${num(biz.length)} · ${num(biz.filter((t) => t.exposed && t.endpoint).length)} exposed`;
  $('internal-count').textContent = String(internal.length);
  $('internal-box').hidden = !internal.length;
  filterOverview();
}
// ---------- list filters ----------
// Rows are built once per load; typing only toggles `hidden`, so 1,000+ tables answer at once, without a request.
const filterKey = (t) => `${t.name} ${t.label || ''}`.toLowerCase();
const num = (n) => n.toLocaleString('en-US');
function filterRows(input, rows) {
  const q = input.value.trim().toLowerCase();
  let shown = 0;
  for (const r of rows) if (!(r.hidden = !!q && !r.dataset.filter.includes(q))) shown++;
  return [shown, `${q ? `${num(shown)} of ` : ''}${num(rows.length)} ${rows.length === 1 ? 'table' : 'tables'}`];
}
function filterOverview() {
  const rows = $('business-table').querySelectorAll('tr[data-filter]'), [shown, text] = filterRows($('ov-filter'), rows);
  $('ov-count').textContent = text;
  $('ov-empty').hidden = shown || !rows.length;
}
// Ticked tables stay ticked (and are submitted) when the filter hides them; the count says how many.
function filterPicker() {
  const box = $('ba-tables'), [, text] = filterRows($('ba-filter'), box.querySelectorAll('[data-filter]'));
  const ticked = [...box.querySelectorAll('input:checked')], out = ticked.filter((i) => i.parentNode.hidden).length;
  $('ba-count').textContent = `${text} · ${num(ticked.length)} selected${out ? ` (${num(out)} hidden by the filter, assigned too)` : ''}`;
}
async function reloadRoutes() {
  const btn = $('reload'), out = $('overview-status');
  btn.disabled = true;
  say(out, 'Reloading the schema…', 'busy');
  try {
    const d = await api('POST', '/api/dyn/reload/');
    const names = (d.tables || []).map((t) => t.table || t.route_prefix).sort();
    say(out, `Reloaded. DynAPI serves ${plural(d.count, 'table')}`, 'ok', [names.length && ': ', names.map((n, i) => [i ? ', ' : '', code(n)]), '.']);
    await loadOverview();
  } catch (err) {
    if (err.status !== 401) sayError(out, err, 'Reload failed');
  } finally { btn.disabled = false; }
}

// ---------- permissions ----------
async function loadPermissions(params) {
  await lookups();
  $('f-search').value = params.get('search') || '';
  fillSelect($('f-table'), served().map((n) => [n, n]), params.get('table') || '');
  fillSelect($('f-user'), S.users.map((u) => [u.id, u.username]), params.get('user') || '');
  fillAssign();
  await loadRows();
}
function fillAssign() {
  fillSelect($('ba-user'), S.users.map((u) => [u.id, u.username + (u.is_active === false ? ' (inactive)' : '')]));
  fillSelect($('ba-role'), S.roles.map((r) => [r.id, r.name]));
  const box = $('ba-tables');
  const checked = new Set([...box.querySelectorAll('input:checked')].map((i) => i.value));
  const list = servedTables();
  box.replaceChildren(...(list.length ? list.map((t) => h('label', { class: 'check', 'data-filter': filterKey(t) },
    h('input', { type: 'checkbox', name: 'tables', value: t.name, checked: checked.has(t.name) }), ' ',
    t.label && t.label !== t.name ? h('span', null, t.name, h('span', { class: 'sub', text: t.label })) : t.name)) : [muted('No served tables.')]));
  filterPicker();
}
async function loadRows() {
  const p = hashRoute().params, q = new URLSearchParams();
  for (const [k, key] of [['search', 'search'], ['table', 'table_name'], ['user', 'user']]) if (p.get(k)) q.set(key, p.get(k));
  S.rows = [].concat(await api('GET', `/api/user-roles/${q.toString() ? '?' + q : ''}`));
  S.rows.sort((a, b) => userName(a.user).localeCompare(userName(b.user)) || String(a.table_name).localeCompare(b.table_name));
  const shown = new Set(S.rows.map((r) => r.id));
  for (const id of S.selected) if (!shown.has(id)) S.selected.delete(id);
  $('perm-table').tBodies[0].replaceChildren(...S.rows.map((r) => h('tr', {
    'data-id': String(r.id), 'data-table': r.table_name, 'data-user': userName(r.user), class: S.changed.has(r.id) ? 'changed' : null },
  h('td', { class: 'check', 'data-label': 'Select' }, h('input', { type: 'checkbox', class: 'row-check', value: String(r.id),
    'aria-label': `Select ${userName(r.user)} on ${r.table_name}`, checked: S.selected.has(r.id) })),
  h('td', { text: userName(r.user) }), h('td', null, r.role == null ? muted('—') : roleName(r.role)),
  h('th', { scope: 'row' }, code(r.table_name)),
  FLAGS.map((f) => h('td', { class: `flag ${r[`can_${f}`] ? 'yes' : 'no'}` },
    h('span', { 'aria-hidden': 'true', text: r[`can_${f}`] ? '✓ ' : '✗ ' }), r[`can_${f}`] ? 'Yes' : 'No')),
  endpointCell(endpoint(r.table_name)))));
  labels($('perm-table'));
  $('perm-empty').hidden = S.rows.length > 0;
  updateSelection();
}
function updateSelection() {
  const n = S.selected.size, total = S.rows.length, all = $('select-all');
  all.checked = total > 0 && n === total; all.indeterminate = n > 0 && n < total; all.disabled = !total;
  const ids = new Set([...S.selected].map(String));
  for (const tr of $('perm-table').tBodies[0].rows) tr.classList.toggle('selected', ids.has(tr.dataset.id));
  $('perm-summary').textContent = `${plural(total, 'row')} · ${n} selected`;
  $('bu-submit').disabled = !n;
  $('bu-submit').textContent = n ? `Update ${n} selected ${n === 1 ? 'row' : 'rows'}` : 'Update selected rows';
}
function applyFilters(e) {
  if (e) e.preventDefault();
  const p = new URLSearchParams();
  for (const k of ['search', 'table', 'user']) { const v = $(`f-${k}`).value.trim(); if (v) p.set(k, v); }
  const next = `#permissions${p.toString() ? '?' + p : ''}`;
  if (location.hash === next) route(); else location.hash = next;
}
async function bulkUpdate(e) {
  e.preventDefault();
  const out = $('bu-status'), body = { ids: [...S.selected] };
  for (const f of FLAGS) { const v = $(`bu-${f}`).value; if (v) body[`can_${f}`] = v === 'true'; }
  if (!body.ids.length) return say(out, 'Select at least one row in the table first.', 'err');
  if (Object.keys(body).length === 1) return say(out, 'Choose Allow or Deny for at least one permission.', 'err');
  $('bu-submit').disabled = true;
  say(out, 'Updating…', 'busy');
  try {
    const d = await api('POST', '/api/user-roles/bulk-update/', body);
    S.changed = new Set(body.ids);
    say(out, `Updated ${plural(d.updated, 'row')}.`, 'ok');
    await loadRows();
  } catch (err) {
    if (err.status !== 401) sayError(out, err, 'Bulk update failed');
  } finally { updateSelection(); }
}
function fieldErrors(errors) {
  for (const [f, id, box] of [['user_id', 'ba-user', 'ba-user'], ['role_id', 'ba-role', 'ba-role'], ['tables', 'ba-tables', 'ba-tables-set']]) {
    const m = errors && errors[f];
    $(`${id}-error`).textContent = m ? [].concat(m).join(' ') : '';
    if (m) $(box).setAttribute('aria-invalid', 'true'); else $(box).removeAttribute('aria-invalid');
  }
}
async function bulkAssign(e) {
  e.preventDefault();
  const out = $('ba-status'), btn = $('ba-submit');
  const tables = [...$('ba-tables').querySelectorAll('input:checked')].map((i) => i.value);
  for (const n of $('ba-extra').value.split(',').map((s) => s.trim())) if (n && !tables.includes(n)) tables.push(n);
  const local = {};
  if (!$('ba-user').value) local.user_id = 'Choose a user.';
  if (!tables.length) local.tables = 'Pick at least one table, or type its name.';
  fieldErrors(local);
  if (Object.keys(local).length) return say(out, 'Some fields need attention.', 'err');
  const body = { user_id: Number($('ba-user').value), tables };
  if ($('ba-role').value) body.role_id = Number($('ba-role').value);
  for (const f of FLAGS) body[`can_${f}`] = $(`ba-${f}`).checked;
  btn.disabled = true;
  say(out, 'Assigning…', 'busy');
  try {
    const d = await api('POST', '/api/user-roles/bulk-assign/', body);
    const who = userName(body.user_id);
    S.changed = new Set((d.user_roles || []).map((r) => r.id));
    say(out, `Assigned ${plural(d.assigned, 'table')} to ${who}: ${tables.join(', ')}.`, 'ok',
      [' ', h('a', { href: `#permissions?user=${body.user_id}`, text: `Show ${who}’s permissions` })]);
    $('ba-extra').value = '';
    await lookups();
    fillAssign();
    await loadRows();
  } catch (err) {
    if (err.status === 401) return;
    fieldErrors(err.body && err.body.errors);
    sayError(out, err, 'Bulk assign failed');
  } finally { btn.disabled = false; }
}

// ---------- sign-in ----------
async function login(e) {
  e.preventDefault();
  const out = $('login-error'), btn = $('login-submit');
  const username = $('login-username').value.trim(), password = $('login-password').value;
  if (!username || !password) return say(out, 'Enter your username and password.', 'err');
  btn.disabled = true;
  say(out, '');
  try {
    const r = await send('POST', '/admin/session', { username, password });
    if (r.ok && r.data.access) {
      $('login-password').value = '';
      setSession(r.data);
      return await route();
    }
    say(out, r.status === 403 ? `${r.data.message || 'This page is for admin users only.'} “${username}” is not an admin: sign in with an admin account, or ask an admin to give you admin rights.`
      : r.status === 401 ? 'Wrong username or password.'
        : `Could not sign in (HTTP ${r.status}): ${r.data.message || 'unexpected answer'}`, 'err');
    if (r.status === 401) $('login-password').select();
  } catch (err) {
    say(out, 'Could not reach DynAPI. Is it running?', 'err');
  } finally { btn.disabled = false; }
}
async function logout() {
  try { await send('POST', '/admin/session/logout'); } catch (e) { /* signed out here anyway */ }
  clearSession(); show('login');
  say($('login-error'), 'You are signed out.', 'ok');
  $('login-username').focus();
}

// ---------- wiring ----------
function start() {
  // The bulk-update selects and the internal table's header are copies of one template each.
  for (const f of FLAGS) {
    const name = f[0].toUpperCase() + f.slice(1);
    $('bu-flags').append(h('div', { class: 'field' }, h('label', { for: `bu-${f}`, text: name }),
      h('select', { id: `bu-${f}`, name: `can_${f}` }, [['', 'No change'], ['true', 'Allow'], ['false', 'Deny']].map(([value, text]) => h('option', { value, text })))));
  }
  $('internal-table').prepend($('business-table').tHead.cloneNode(true));
  const on = (id, ev, fn) => $(id).addEventListener(ev, fn);
  on('skip', 'click', (e) => { e.preventDefault(); $('main').focus(); });
  on('login-form', 'submit', login);
  on('logout', 'click', logout);
  on('reload', 'click', reloadRoutes);
  on('filters', 'submit', applyFilters);
  on('f-table', 'change', applyFilters);
  on('f-user', 'change', applyFilters);
  on('f-clear', 'click', () => { $('filters').reset(); applyFilters(); });
  on('goto-assign', 'click', () => { $('bulk-assign').scrollIntoView({ block: 'start' }); $('ba-user').focus({ preventScroll: true }); });
  on('select-all', 'change', (e) => {
    S.selected = new Set(e.target.checked ? S.rows.map((r) => r.id) : []);
    for (const c of document.querySelectorAll('.row-check')) c.checked = e.target.checked;
    updateSelection();
  });
  on('perm-table', 'change', (e) => {
    if (!e.target.classList.contains('row-check')) return;
    const r = S.rows.find((x) => String(x.id) === e.target.value);
    if (r) S.selected[e.target.checked ? 'add' : 'delete'](r.id);
    updateSelection();
  });
  on('bulk-update', 'submit', bulkUpdate);
  on('bulk-assign', 'submit', bulkAssign);
  on('ov-filter', 'input', filterOverview);
  on('ba-filter', 'input', filterPicker);
  on('ba-tables', 'change', filterPicker);
  // Enter in the filter would submit the whole form.
  on('ba-filter', 'keydown', (e) => { if (e.key === 'Enter') e.preventDefault(); });
  window.addEventListener('hashchange', () => { S.changed = new Set(); route(); });
  refresh().then(route);
}
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
