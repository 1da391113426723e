// DynAPI admin: sign-in, tables overview, permissions, schema changes, row history, users. Vanilla ES2020.
// The access token lives in this closure only; the refresh token is an HttpOnly cookie (path /admin).
'use strict';
(() => {
const { $, add, h } = window.DynAPIDom;
const muted = (text) => h('span', { class: 'muted', text });
const code = (text) => h('code', { text });
const plural = (n, one, many) => `${n} ${n === 1 ? one : many || one + 's'}`;
const FLAGS = ['create', 'read', 'update', 'delete'];
const S = { access: null, user: null, timer: 0, refreshing: null, tables: null, users: null, roles: null,
  rows: [], selected: new Set(), changed: new Set(), view: null,
  schemaTables: [], schemaTable: null, types: [], schemas: ['public'], changesNext: null, column: null,
  histQuery: null, histNext: null, histEntries: new Map(),
  defaultFunctions: ['now()', 'current_timestamp', 'current_date', 'gen_random_uuid()', 'dynapi.current_user_id()'] };
const VIEWS = { login: 'Sign in', overview: 'Tables', permissions: 'Permissions', schema: 'Schema', history: 'Row history', users: 'Users' };

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
  return { name: Object.keys(VIEWS).slice(1).includes(name) ? name : 'overview', params: new URLSearchParams(i < 0 ? '' : raw.slice(i + 1)) };
}
function show(view) {
  for (const v of Object.keys(VIEWS)) $(`view-${v}`).hidden = v !== view;
  $('loading').hidden = true;
  for (const v of Object.keys(VIEWS).slice(1)) {
    if (v === view) $(`nav-${v}`).setAttribute('aria-current', 'page'); else $(`nav-${v}`).removeAttribute('aria-current');
  }
  document.title = `${VIEWS[view]} · DynAPI admin`;
  // A new view moves the focus to its heading, so screen readers announce it.
  if (S.view && S.view !== view) { const t = document.querySelector(`#view-${view} h1`); t.tabIndex = -1; t.focus(); }
  S.view = view;
}
async function route() {
  if (!S.access) { show('login'); $('login-username').focus(); return; }
  const { name, params } = hashRoute();
  show(name);
  const load = { permissions: loadPermissions, schema: loadSchema, history: loadHistory, users: loadUsers, overview: loadOverview }[name];
  try {
    await load(params);
  } catch (err) {
    const out = { permissions: 'perm-summary', schema: 'schema-status', history: 'hist-status', users: 'users-status', overview: 'overview-status' }[name];
    if (err.status !== 401) sayError($(out), err, 'Could not load the data');
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
    historyCell(t),
    h('td', { class: 'num', text: count(t.columns) }), h('td', { class: 'num', text: count(t.permissions) }),
    endpointCell(t.endpoint), h('td', { class: 'wide' }, hooks(t)), h('td', { class: 'wide' }, actions(t)));
}
async function loadOverview() {
  await lookups();
  const all = [...S.tables].sort((a, b) => a.name.localeCompare(b.name));
  const biz = all.filter((t) => !t.internal), internal = all.filter((t) => t.internal);
  $('business-table').tBodies[0].replaceChildren(...(biz.length ? biz.map(tableRow)
    : [h('tr', null, h('td', { colSpan: 8, class: 'empty', text: 'No tables in the served schemas yet.' }))]));
  $('internal-table').tBodies[0].replaceChildren(...internal.map(tableRow));
  labels($('business-table')); labels($('internal-table'));
  $('business-count').textContent = `${num(biz.length)} · ${num(biz.filter((t) => t.exposed && t.endpoint).length)} exposed`;
  $('internal-count').textContent = String(internal.length);
  $('internal-box').hidden = !internal.length;
  filterOverview();
  // Which tables keep history is only in the configuration document: the boxes are ticked when it comes.
  historyFlags().catch((err) => { if (err.status !== 401) sayError($('overview-status'), err, 'Could not read which tables keep history'); });
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

// ---------- schema ----------
// Every change is sent twice: first with ?dry_run=true, whose statements the page shows, then, when Apply is
// pressed, the same request for real. Editing the form after a preview hides it, so what runs is what was shown.
const enc = encodeURIComponent;
const tablePath = (name) => `/api/schema/tables/${enc(name)}/`;
const columnPath = (table, column) => `${tablePath(table)}columns/${enc(column)}/`;
const withQuery = (path, params) => `${path}${path.includes('?') ? '&' : '?'}${new URLSearchParams(params)}`;
// The name of /api/dyn/{name}/ and /api/schema/tables/{name}/: `ticket` in public, `sales.invoice` elsewhere.
const apiName = (t) => [t.name, t.table].find((n) => n && n.includes('.'))
  || `${t.schema && t.schema !== 'public' ? `${t.schema}.` : ''}${t.table || t.name}`;
const asList = (d, key) => (Array.isArray(d) ? d : (d && d[key]) || []);
async function loadSchema(params) {
  say($('schema-status'), '');
  const [tables, types] = await Promise.all([api('GET', '/api/schema/tables/'), api('GET', '/api/schema/types/')]);
  S.schemaTables = asList(tables, 'tables').sort((a, b) => apiName(a).localeCompare(apiName(b)));
  fillTypes(types);
  renderSchemaTables();
  await Promise.all([showTable(params.get('table')), loadChanges(false)]);
}
// {"types": [allow-list], "default_functions": [...], "schemas": [exposed], "enums": [{"name", "schema", "values"}]}
function fillTypes(d) {
  const names = (v) => [].concat(v || []).map((x) => (typeof x === 'string' ? x : x && x.name)).filter(Boolean);
  const schemas = new Set(['public', ...names(d.schemas), ...S.schemaTables.map((t) => t.schema).filter(Boolean)]);
  S.types = [...new Set([...names(d.types), ...names(d.enums)])];
  if (d.default_functions) S.defaultFunctions = names(d.default_functions);
  S.schemas = [...schemas].sort((a, b) => (a === 'public' ? -1 : b === 'public' ? 1 : a.localeCompare(b)));
  $('type-list').replaceChildren(...S.types.map((t) => h('option', { value: t })));
  $('default-functions').replaceChildren(...S.defaultFunctions.map((f) => h('option', { value: f })));
  const sel = $('nt-schema'), value = sel.value || 'public';
  sel.replaceChildren(...S.schemas.map((n) => h('option', { value: n, text: n })));
  sel.value = S.schemas.includes(value) ? value : 'public';
}
function renderSchemaTables() {
  const current = S.schemaTable && apiName(S.schemaTable);
  $('schema-tables').tBodies[0].replaceChildren(...(S.schemaTables.length ? S.schemaTables.map((t) => {
    const name = apiName(t);
    return h('tr', { 'data-table': name, 'data-filter': filterKey({ name, label: t.label }), class: name === current ? 'selected' : null },
      h('th', { scope: 'row' }, h('a', { href: `#schema?table=${enc(name)}`, 'aria-current': name === current ? 'true' : null }, code(name)),
        t.label && t.label !== name && h('span', { class: 'sub', text: t.label })),
      h('td', null, h('span', { class: 'badges' }, badge(t.kind || 'table', t.kind && t.kind !== 'table' ? 'neutral' : 'info'),
        t.exposed === false && badge('Not exposed', 'off'))),
      h('td', { class: 'num', text: String((t.columns || []).length) }));
  }) : [h('tr', null, h('td', { colSpan: 3, class: 'empty', text: 'No tables in the exposed schemas yet.' }))]));
  labels($('schema-tables'));
  const rows = $('schema-tables').querySelectorAll('tr[data-filter]');
  $('st-count').textContent = filterRows($('st-filter'), rows)[1];
}
async function showTable(name) {
  if (!name) return renderTable(null);
  try {
    renderTable(await api('GET', tablePath(name)));
  } catch (err) {
    renderTable(null);
    if (err.status === 404) say($('schema-status'), `There is no table “${name}” in the exposed schemas (any more).`, 'err');
    else throw err;
  }
}
const yesNo = (v) => h('span', { class: `flag ${v ? 'yes' : 'no'}` }, h('span', { 'aria-hidden': 'true', text: v ? '✓ ' : '✗ ' }), v ? 'Yes' : 'No');
const list = (items, empty) => (items.length ? h('ul', { class: 'plain' }, items) : muted(empty));
function renderTable(t) {
  const before = S.schemaTable && apiName(S.schemaTable);
  S.schemaTable = t;
  $('sd-none').hidden = !!t; $('sd-body').hidden = !t;
  for (const tr of $('schema-tables').tBodies[0].rows) {
    const on = !!t && tr.dataset.table === apiName(t), a = tr.querySelector('a');
    tr.classList.toggle('selected', on);
    if (a) { if (on) a.setAttribute('aria-current', 'true'); else a.removeAttribute('aria-current'); }
  }
  if (!t) return;
  const name = apiName(t);
  if (before !== name) { closeForms(); say($('sd-status'), ''); }
  $('sd-name').textContent = name;
  $('sd-sub').textContent = [t.label && t.label !== name && t.label, t.kind].filter(Boolean).join(' · ');
  $('sd-desc').textContent = t.description || '';
  $('sd-badges').replaceChildren(t.exposed === false ? badge('Not exposed', 'off') : badge('Exposed', 'ok'),
    t.exposed !== false && h('span', null, 'Served at ', code(`/api/dyn/${name}/`)));
  const editable = t.kind === 'table' || t.kind === 'partitioned table';
  const fks = t.foreign_keys || [];
  $('sd-columns').tBodies[0].replaceChildren(...(t.columns || []).map((c) => {
    const fk = fks.find((f) => f.columns.length === 1 && f.columns[0] === c.name);
    return h('tr', { 'data-column': c.name },
      h('th', { scope: 'row' }, code(c.name)),
      h('td', null, code(c.type)),
      h('td', null, yesNo(c.nullable)),
      h('td', null, c.identity ? muted(`identity (${c.identity})`) : c.default != null ? code(c.default) : muted('—')),
      h('td', null, h('span', { class: 'badges' }, c.primary_key && badge('Primary key', 'ok'), c.unique && !c.primary_key && badge('Unique', 'info'),
        fk && badge(`→ ${fk.references.table}`, 'neutral'), c.generated && badge('Generated', 'neutral'))),
      h('td', null, c.description || ''),
      h('td', { class: 'wide' }, editable && h('span', { class: 'buttons' },
        h('button', { type: 'button', class: 'secondary small', 'data-action': 'edit', 'data-column': c.name, 'aria-label': `Change column ${c.name}`, text: 'Change' }),
        h('button', { type: 'button', class: 'secondary small danger', 'data-action': 'drop', 'data-column': c.name, 'aria-label': `Drop column ${c.name}`, text: 'Drop' }))));
  }));
  labels($('sd-columns'));
  $('sd-add-column').hidden = $('sd-drop-table').hidden = !editable;
  $('sd-indexes').replaceChildren(list((t.indexes || []).map((i) => item(i.primary ? 'PRIMARY' : i.unique ? 'UNIQUE' : 'INDEX', i.name, i.definition || i.columns.join(', '))), 'No index.'));
  const ref = (r) => `${r.table}(${[].concat(r.columns || r.column || []).join(', ')})`;
  $('sd-constraints').replaceChildren(list([].concat(
    t.primary_key && t.primary_key.length ? [item('PRIMARY KEY', t.primary_key.join(', '), '')] : [],
    (t.unique_constraints || []).map((u) => item('UNIQUE', u.name, `(${u.columns.join(', ')})`)),
    fks.map((f) => item('FOREIGN KEY', f.name, `(${f.columns.join(', ')}) → ${ref(f.references)}${f.on_delete ? ` on delete ${f.on_delete}` : ''}`)),
    (t.referenced_by || []).map((f) => item('REFERENCED BY', f.name, `${f.table}(${f.columns.join(', ')}) → (${(f.referenced_columns || []).join(', ')})`)),
    (t.check_constraints || []).map((c) => item('CHECK', c.name, c.definition))), 'No constraint.'));
}
function closeForms() {
  for (const id of ['col-form', 'col-drop', 'drop-table']) $(id).hidden = true;
  for (const p of ['cf', 'cd', 'dt']) { clearPreview(p); say($(`${p}-status`), ''); }
}
function clearPreview(p) { const box = $(`${p}-preview`); box.hidden = true; box.replaceChildren(); }
// A literal (as JSON: parsed for json, jsonb and arrays when it parses) or one of the default functions.
function defaultOf(text, type) {
  const t = text.trim();
  if (S.defaultFunctions.includes(t)) return { default_function: t };
  if (/^\s*jsonb?\s*$/i.test(type) || /\[\]\s*$/.test(type)) {
    try { const v = JSON.parse(text); if (/\[\]\s*$/.test(type) ? Array.isArray(v) : true) return { default: v }; } catch (e) { /* a plain string */ }
  }
  return { default: text };
}
// change: {method, path, body, what, apply (the button's text), done(answer) -> the success message}
async function preview(p, change) {
  const out = $(`${p}-status`), box = $(`${p}-preview`), btn = $(`${p}-submit`);
  clearPreview(p);
  btn.disabled = true;
  say(out, 'Asking DynAPI which statements this takes…', 'busy');
  try {
    const d = await api(change.method, withQuery(change.path, { dry_run: 'true' }), change.body);
    const ddl = [].concat(d.ddl || []);
    say(out, '');
    const apply = h('button', { type: 'button', id: `${p}-apply`, class: change.danger ? 'danger' : null, text: change.apply });
    const cancel = h('button', { type: 'button', class: 'secondary', text: 'Back to the form' });
    box.replaceChildren(h('p', { class: 'ddl-title', id: `${p}-ddl-title`, text: `Preview: ${plural(ddl.length, 'statement')}, run in one transaction when you apply ${ddl.length === 1 ? 'it' : 'them'}` }),
      h('pre', { class: 'ddl', id: `${p}-ddl`, 'aria-labelledby': `${p}-ddl-title` }, ddl.map((q) => `${q}${/;\s*$/.test(q) ? '' : ';'}\n`)),
      h('div', { class: 'buttons' }, apply, cancel));
    box.hidden = false;
    apply.addEventListener('click', () => applyChange(p, change, apply));
    cancel.addEventListener('click', () => { clearPreview(p); btn.focus(); });
    apply.focus();
  } catch (err) {
    if (err.status !== 401) sayError(out, err, `${change.what}: refused`);
  } finally { btn.disabled = p === 'cd' || p === 'dt' ? !confirmed(p) : false; }
}
async function applyChange(p, change, btn) {
  const out = $(`${p}-status`);
  btn.disabled = true;
  say(out, 'Applying…', 'busy');
  try {
    const d = await api(change.method, change.path, change.body);
    clearPreview(p);
    say(out, '');
    const [node, text] = await change.done(d);
    say(node, text, 'ok', [' ', h('span', { class: 'detail' }, 'Ran: ', [].concat(d.ddl || []).map((q, i) => [i ? ' ' : '', code(q)]))]);
    loadChanges(false).catch((err) => { if (err.status !== 401) sayError($('ch-status'), err, 'Could not load the history'); });
  } catch (err) {
    btn.disabled = false;
    if (err.status !== 401) sayError(out, err, `${change.what} failed`);
  }
}
// The table list, and the chosen table from the answer (or read anew).
async function refreshSchema(table) {
  const tables = await api('GET', '/api/schema/tables/');
  S.schemaTables = asList(tables, 'tables').sort((a, b) => apiName(a).localeCompare(apiName(b)));
  renderSchemaTables();
  if (table && typeof table === 'object') renderTable(table); else await showTable(table);
}

// the new-table form
function columnRow() {
  const tr = h('tr', { class: 'nt-col' },
    h('td', null, h('input', { name: 'name', autocomplete: 'off', spellcheck: 'false' })),
    h('td', null, h('input', { name: 'type', list: 'type-list', autocomplete: 'off', spellcheck: 'false' })),
    h('td', { class: 'flag' }, h('input', { type: 'checkbox', name: 'nullable', checked: true })),
    h('td', null, h('input', { name: 'default', list: 'default-functions', autocomplete: 'off', spellcheck: 'false' })),
    h('td', { class: 'flag' }, h('input', { type: 'checkbox', name: 'primary_key' })),
    h('td', { class: 'flag' }, h('input', { type: 'checkbox', name: 'unique' })),
    h('td', null, h('button', { type: 'button', class: 'secondary small', 'data-action': 'remove', text: 'Remove' })));
  return tr;
}
// Each row's controls are named after their row, for screen readers (and the labels of reflowed rows).
function renumber() {
  const rows = [...$('nt-columns').tBodies[0].rows];
  rows.forEach((tr, i) => {
    for (const [n, text] of [['name', 'name'], ['type', 'type'], ['nullable', 'nullable'], ['default', 'default'], ['primary_key', 'primary key'], ['unique', 'unique']]) {
      tr.querySelector(`[name="${n}"]`).setAttribute('aria-label', `Column ${i + 1} ${text}`);
    }
    tr.querySelector('[data-action=remove]').setAttribute('aria-label', `Remove column ${i + 1}`);
    tr.querySelector('[data-action=remove]').disabled = rows.length === 1;
  });
  labels($('nt-columns'));
}
function addColumnRow(focus) {
  const tr = columnRow();
  $('nt-columns').tBodies[0].append(tr);
  renumber();
  clearPreview('nt');
  if (focus) tr.querySelector('input').focus();
}
function resetNewTable() {
  $('new-table').reset();
  $('nt-columns').tBodies[0].replaceChildren();
  addColumnRow(false);
  $('nt-schema').value = 'public';
  clearPreview('nt');
}
function newTable(e) {
  e.preventDefault();
  const out = $('nt-status'), body = { name: $('nt-name').value.trim(), schema: $('nt-schema').value || 'public', columns: [] };
  const label = $('nt-label').value.trim(), description = $('nt-description').value.trim();
  if (label) body.label = label;
  if (description) body.description = description;
  const missing = [];
  [...$('nt-columns').tBodies[0].rows].forEach((tr, i) => {
    const v = (n) => tr.querySelector(`[name="${n}"]`);
    const name = v('name').value.trim(), type = v('type').value.trim();
    if (!name && !type && !v('default').value) return; // an empty row is left out
    if (!name || !type) missing.push(`Column ${i + 1} needs a ${name ? 'type' : 'name'}.`);
    const c = { name, type };
    if (v('primary_key').checked) c.primary_key = true; else if (!v('nullable').checked) c.nullable = false;
    if (v('unique').checked) c.unique = true;
    if (v('default').value !== '') Object.assign(c, defaultOf(v('default').value, type));
    body.columns.push(c);
  });
  if (!body.name) missing.unshift('Enter the table’s name.');
  if (missing.length) { clearPreview('nt'); return say(out, missing.join(' '), 'err'); }
  const name = body.schema === 'public' ? body.name : `${body.schema}.${body.name}`;
  preview('nt', { method: 'POST', path: '/api/schema/tables/', body, what: `Creating table ${name}`, apply: 'Create table',
    done: async (d) => {
      resetNewTable();
      const made = d.table ? apiName(d.table) : name;
      history.replaceState(null, '', `#schema?table=${enc(made)}`);
      await refreshSchema(d.table || made);
      return [$('nt-status'), `Created table ${made}; DynAPI serves it at /api/dyn/${made}/.`];
    } });
}

// the column editor: add a column, or change one (only what was changed is sent)
function openColumnForm(column) {
  const t = S.schemaTable, c = column && (t.columns || []).find((x) => x.name === column);
  closeForms();
  S.column = c || null;
  $('cf-title').textContent = c ? `Change column ${c.name}` : `Add a column to ${apiName(t)}`;
  $('cf-help').textContent = c ? 'Only what you change is sent: a new name, a new type (the values are converted), a new default (empty: none), NOT NULL, the description.'
    : 'The new column is added to every row, with its default (or NULL).';
  $('cf-name').value = c ? c.name : '';
  $('cf-type').value = c ? c.type : '';
  $('cf-default').value = c && c.default != null ? c.default : '';
  $('cf-description').value = c && c.description ? c.description : '';
  $('cf-nullable').checked = c ? !!c.nullable : true;
  $('cf-unique').checked = false;
  $('cf-unique').parentNode.hidden = !!c;
  $('cf-submit').textContent = 'Preview DDL';
  $('col-form').hidden = false;
  $('col-form').scrollIntoView({ block: 'nearest' });
  $(c ? 'cf-type' : 'cf-name').focus({ preventScroll: true });
}
function columnChange(e) {
  e.preventDefault();
  const t = S.schemaTable, c = S.column, table = apiName(t), out = $('cf-status');
  const name = $('cf-name').value.trim(), type = $('cf-type').value.trim(), def = $('cf-default').value;
  const description = $('cf-description').value.trim(), nullable = $('cf-nullable').checked;
  if (!name || !type) { clearPreview('cf'); return say(out, !name ? 'Enter the column’s name.' : 'Choose or type the column’s type.', 'err'); }
  if (!c) {
    const body = { name, type };
    if (!nullable) body.nullable = false;
    if ($('cf-unique').checked) body.unique = true;
    if (def !== '') Object.assign(body, defaultOf(def, type));
    if (description) body.description = description;
    return preview('cf', { method: 'POST', path: `${tablePath(table)}columns/`, body, what: `Adding column ${name}`, apply: 'Add column',
      done: async (d) => { $('col-form').hidden = true; await refreshSchema(d.table || table); return [$('sd-status'), `Added column ${name} to ${table}.`]; } });
  }
  const body = {};
  if (name !== c.name) body.name = name;
  if (type !== c.type) body.type = type;
  if (def !== (c.default == null ? '' : c.default)) Object.assign(body, def.trim() === '' ? { default: null } : defaultOf(def, type));
  if (nullable !== !!c.nullable) body.nullable = nullable;
  if (description !== (c.description || '')) body.description = description || null;
  if (!Object.keys(body).length) { clearPreview('cf'); return say(out, 'Nothing to change: edit a field first.', 'err'); }
  preview('cf', { method: 'PATCH', path: columnPath(table, c.name), body, what: `Changing column ${c.name}`, apply: 'Apply changes',
    done: async (d) => { $('col-form').hidden = true; await refreshSchema(d.table || table); return [$('sd-status'), `Changed column ${c.name}${body.name ? ` (now ${body.name})` : ''} of ${table}.`]; } });
}

// dropping: the name must be typed first, then the statements are shown, then applied
const confirmed = (p) => !!S.schemaTable && $(`${p}-confirm`).value === (p === 'cd' ? S.column && S.column.name : apiName(S.schemaTable));
function openDrop(p, column) {
  const t = S.schemaTable, table = apiName(t);
  closeForms();
  S.column = column ? (t.columns || []).find((x) => x.name === column) : null;
  $(`${p}-help`).textContent = column
    ? `Dropping column ${column} deletes its values in every row of ${table}. Type ${column} to confirm.`
    : `Dropping table ${table} deletes it with all its rows, its settings, permission rows and actions. Type ${table} to confirm.`;
  $(`${p}-confirm`).value = '';
  $(`${p}-submit`).disabled = true;
  const form = $(p === 'cd' ? 'col-drop' : 'drop-table');
  form.hidden = false;
  form.scrollIntoView({ block: 'nearest' });
  $(`${p}-confirm`).focus({ preventScroll: true });
}
function dropColumn(e) {
  e.preventDefault();
  if (!confirmed('cd')) return say($('cd-status'), 'Type the column’s name exactly to confirm.', 'err');
  const table = apiName(S.schemaTable), column = S.column.name;
  preview('cd', { method: 'DELETE', path: columnPath(table, column), what: `Dropping column ${column}`, apply: `Drop column ${column}`, danger: true,
    done: async (d) => { $('col-drop').hidden = true; await refreshSchema(d.table || table); return [$('sd-status'), `Dropped column ${column} of ${table}.`]; } });
}
function dropTable(e) {
  e.preventDefault();
  if (!confirmed('dt')) return say($('dt-status'), 'Type the table’s name exactly to confirm.', 'err');
  const table = apiName(S.schemaTable);
  preview('dt', { method: 'DELETE', path: withQuery(tablePath(table), { confirm: table }), what: `Dropping table ${table}`, apply: `Drop table ${table}`, danger: true,
    done: async () => {
      history.replaceState(null, '', '#schema');
      await refreshSchema(null);
      return [$('schema-status'), `Dropped table ${table}.`];
    } });
}

// the change history, newest first, 20 at a time
function when(iso) {
  const at = iso ? new Date(iso) : null;
  return at && !isNaN(at) ? h('time', { datetime: iso, title: iso, text: at.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' }) }) : iso || '';
}
const who = (c) => (c.username ? [h('strong', { text: c.username }), c.database_role && h('span', { class: 'sub', text: `database role ${c.database_role}` })]
  : [code(c.database_role || '?'), h('span', { class: 'sub', text: 'database role, no API user' })]);
function changeRow(c) {
  const objects = [].concat(c.objects || []).map((o) => (typeof o === 'string' ? o : o && (o.identity || o.name || o.object_identity)) || '').filter(Boolean);
  return h('tr', { 'data-id': String(c.id), 'data-tag': c.tag || '' },
    h('td', { class: 'nowrap' }, when(c.at)), h('td', { class: 'by' }, who(c)),
    h('td', null, h('strong', { text: c.tag || '' }), objects.length > 0 && h('span', { class: 'sub', text: objects.join(', ') })),
    h('td', { class: 'wide' }, h('pre', { class: 'stmt', text: c.statement || '' })));
}
async function loadChanges(more) {
  const q = new URLSearchParams({ limit: '20' });
  if (more && S.changesNext != null) q.set('before', String(S.changesNext));
  const d = await api('GET', `/api/schema/changes/?${q}`), body = $('schema-changes').tBodies[0];
  const rows = [].concat(d.changes || []).map(changeRow);
  if (more) body.append(...rows); else body.replaceChildren(...rows);
  S.changesNext = d.next == null ? null : d.next;
  $('ch-more').hidden = S.changesNext == null;
  $('ch-empty').hidden = body.rows.length > 0;
  say($('ch-status'), '');
  labels($('schema-changes'));
}
async function moreChanges() {
  const btn = $('ch-more');
  btn.disabled = true;
  try { await loadChanges(true); } catch (err) {
    if (err.status !== 401) sayError($('ch-status'), err, 'Could not load older changes');
  } finally { btn.disabled = false; }
}

// ---------- row history (docs/history.md) ----------
// Which tables keep history is their `history` in the configuration document's table_settings. Switching it
// imports the table's whole current entry with `history` changed: an import writes every key of the entry it is
// given, so a partial one would reset the hidden columns, the label and the rest.
const settings = async () => asList(await api('GET', '/api/dyn/config/'), 'table_settings');
const KEYED = ['table', 'partitioned table', 'foreign table'];
function historyCell(t) {
  if (t.internal || (t.kind && !KEYED.includes(t.kind))) return h('td', null, t.internal ? '' : muted('—'));
  const name = apiName(t);
  return h('td', { class: 'nowrap' }, h('label', { class: 'check' }, h('input', { type: 'checkbox', class: 'hist-flag', 'data-table': name, disabled: true,
    'aria-label': `Keep the row history of ${name}` }), ' Keep'), h('a', { class: 'manage', href: `#history?table=${enc(name)}`, hidden: true, text: 'See history' }));
}
const histLink = (box) => { box.closest('td').querySelector('a').hidden = !box.checked; };
async function historyFlags() {
  const on = new Set((await settings()).filter((x) => x.history).map((x) => x.table_name));
  for (const box of $('business-table').querySelectorAll('.hist-flag')) { box.checked = on.has(box.dataset.table); box.disabled = false; histLink(box); }
}
async function setHistory(e) {
  const box = e.target;
  if (!box.classList.contains('hist-flag')) return;
  const table = box.dataset.table, value = box.checked, out = $('overview-status');
  box.disabled = true;
  say(out, `Switching the row history of ${table} ${value ? 'on' : 'off'}…`, 'busy');
  try {
    const entry = (await settings()).find((x) => x.table_name === table) || { table_name: table };
    await api('POST', '/api/dyn/config/', { table_settings: [Object.assign({}, entry, { history: value })] });
    say(out, value ? `${table} keeps row history now: each insert, update and delete is recorded.`
      : `${table} keeps no row history any more; what was recorded stays until the retention passes.`, 'ok',
    value && [' ', h('a', { href: `#history?table=${enc(table)}`, text: `See the history of ${table}` })]);
  } catch (err) {
    box.checked = !value;
    if (err.status !== 401) sayError(out, err, `Could not switch the row history of ${table} ${value ? 'on' : 'off'}`);
  } finally { box.disabled = false; histLink(box); }
}

// The view: #history?table=…&pk=…&operation=…; a table's trail or one row's changes, 50 at a time.
const val = (v) => (typeof v === 'string' ? v : JSON.stringify(v === undefined ? null : v));
const keyText = (pk) => Object.entries(pk || {}).map(([k, v]) => `${k}=${val(v)}`).join(', ');
// A key as the routes take it: its values in order, composite ones as a,b.
const keyPath = (pk) => (typeof pk === 'string' ? pk.split(',').map((v) => v.trim()) : Object.values(pk || {}).map(val)).map(enc).join(',');
const histPath = (table, pk, tail) => `/api/dyn/${enc(table)}/${pk ? `${keyPath(pk)}/` : ''}${tail}/`;
async function loadHistory(params) {
  $('h-pk').value = params.get('pk') || '';
  $('h-operation').value = params.get('operation') || '';
  $('h-operation').disabled = !!$('h-pk').value.trim();
  const tables = (await settings()).filter((x) => x.history).map((x) => x.table_name).sort();
  const table = params.get('table') || (tables.length === 1 ? tables[0] : '');
  fillSelect($('h-table'), tables.map((n) => [n, n]), table);
  $('hist-none').hidden = tables.length > 0;
  S.histQuery = table ? { table, pk: $('h-pk').value.trim(), operation: $('h-operation').value } : null;
  say($('hist-status'), '');
  await loadEntries(false);
}
function applyHistory(e) {
  if (e) e.preventDefault();
  const p = new URLSearchParams(), pk = $('h-pk').value.trim();
  if (!$('h-table').value) return say($('hist-status'), 'Choose a table first.', 'err');
  p.set('table', $('h-table').value);
  if (pk) p.set('pk', pk); else if ($('h-operation').value) p.set('operation', $('h-operation').value);
  const next = `#history?${p}`;
  if (location.hash === next) route(); else location.hash = next;
}
async function loadEntries(more) {
  const q = S.histQuery, table = $('hist-table'), body = table.tBodies[0], p = new URLSearchParams({ limit: '50' });
  if (!more) { body.replaceChildren(); S.histEntries.clear(); S.histNext = null; table.dataset.shown = ''; }
  $('hist-more').hidden = $('hist-empty').hidden = true;
  if (!q) return;
  if (!q.pk && q.operation) p.set('operation', q.operation);
  // What the list shows (its first page's request), for whoever reads the page.
  const shown = `${histPath(q.table, q.pk, 'history')}?${p}`;
  if (more && S.histNext != null) p.set('before', String(S.histNext));
  table.setAttribute('aria-busy', 'true');
  const d = await api('GET', `${histPath(q.table, q.pk, 'history')}?${p}`).finally(() => table.removeAttribute('aria-busy'));
  for (const c of [].concat(d.changes || [])) { S.histEntries.set(String(c.id), c); body.append(entryRow(c)); }
  S.histNext = d.next == null ? null : d.next;
  $('hist-more').hidden = S.histNext == null;
  $('hist-empty').hidden = body.rows.length > 0;
  table.dataset.shown = shown;
  labels(table);
}
// An update lists the columns it changed, old → new; an insert or a delete the row it wrote or removed.
function changes(c) {
  const old = c.old || {}, now = c.new || {};
  if (c.operation !== 'update') return Object.entries(c.new || c.old || {}).map(([k, v]) => h('li', null, code(k), ': ', val(v)));
  const cols = [...new Set([...Object.keys(old), ...Object.keys(now)])].filter((k) => val(old[k]) !== val(now[k]));
  return cols.length ? cols.map((k) => h('li', null, code(k), ': ', h('del', { text: val(old[k]) }), ' → ', h('ins', { text: val(now[k]) })))
    : [h('li', null, muted('No visible column changed'))];
}
function entryRow(c) {
  const key = keyText(c.pk), table = S.histQuery.table;
  return h('tr', { 'data-id': String(c.id), 'data-operation': c.operation || '', 'data-key': key },
    h('td', { class: 'nowrap' }, when(c.at), h('span', { class: 'sub', text: `change ${c.id}` })),
    h('td', { class: 'by' }, who(c)),
    h('td', null, badge(c.operation || '?', { insert: 'ok', delete: 'off' }[c.operation] || 'info')),
    h('th', { scope: 'row' }, S.histQuery.pk ? code(key) : h('a', { href: `#history?table=${enc(table)}&pk=${enc(Object.values(c.pk || {}).map(val).join(','))}`,
      title: 'This row’s history' }, code(key))),
    h('td', { class: 'wide' }, h('ul', { class: 'plain changes' }, changes(c))),
    h('td', null, c.operation !== 'delete' && h('button', { type: 'button', class: 'secondary small', 'data-action': 'revert', 'data-id': String(c.id),
      'aria-label': `Revert ${key} to change ${c.id}`, text: 'Revert to this' })));
}
// Confirmed in the page, in a row under the entry.
const closeRevert = () => { const r = $('hist-confirm'); if (r) r.remove(); };
function askRevert(btn) {
  closeRevert();
  const c = S.histEntries.get(btn.dataset.id), table = S.histQuery.table;
  const yes = h('button', { type: 'button', id: 'hist-yes', text: 'Revert' }), no = h('button', { type: 'button', id: 'hist-no', class: 'secondary', text: 'Cancel' });
  btn.closest('tr').after(h('tr', { id: 'hist-confirm', class: 'confirm' }, h('td', { colSpan: 6 },
    h('p', { id: 'hist-ask', text: `Put ${table} ${keyText(c.pk)} back as it was after change ${c.id} (${c.operation})? The revert is a change of its own, kept in the history.` }),
    h('div', { class: 'buttons', role: 'group', 'aria-labelledby': 'hist-ask' }, yes, no))));
  yes.addEventListener('click', () => revert(c, yes));
  no.addEventListener('click', () => { closeRevert(); btn.focus(); });
  yes.focus();
}
async function revert(c, btn) {
  const out = $('hist-status'), table = S.histQuery.table, key = keyText(c.pk);
  btn.disabled = true;
  say(out, `Reverting ${table} ${key}…`, 'busy');
  try {
    const d = await api('POST', histPath(table, c.pk, 'revert'), { to: c.id });
    say(out, d.reinserted ? `Brought back ${table} ${key} (it had been deleted) as it was after change ${c.id}.`
      : `Reverted ${table} ${key} to how it was after change ${c.id}.`, 'ok');
  } catch (err) {
    if (err.status === 401) return;
    sayError(out, err, `Could not revert ${table} ${key}`);
  }
  try { await loadEntries(false); } catch (err) {
    if (err.status !== 401) add(out, h('span', { class: 'detail', text: `The list could not be reloaded: ${err.message}` }));
  }
}
async function moreEntries() {
  const btn = $('hist-more');
  btn.disabled = true;
  try { await loadEntries(true); } catch (err) {
    if (err.status !== 401) sayError($('hist-status'), err, 'Could not load older changes');
  } finally { btn.disabled = false; }
}

// ---------- users ----------
async function loadUsers() {
  S.users = [].concat(await api('GET', '/api/users/')).sort((a, b) => String(a.username).localeCompare(b.username));
  $('users-table').tBodies[0].replaceChildren(...S.users.map(userRow));
  labels($('users-table'));
}
const USER_FLAGS = { is_admin: 'Admin', can_change_schema: 'Schema permission' };
function userRow(u) {
  const me = S.user && String(S.user.id) === String(u.id);
  const box = (field) => h('td', { class: 'flag' }, h('input', { type: 'checkbox', class: 'user-flag', 'data-field': field, 'data-id': String(u.id),
    'aria-label': `${USER_FLAGS[field]}: ${u.username}`, checked: !!u[field], disabled: me && field === 'is_admin',
    title: me && field === 'is_admin' ? 'You cannot take your own admin rights here.' : null }));
  return h('tr', { 'data-id': String(u.id), 'data-user': u.username },
    h('th', { scope: 'row' }, h('strong', { text: u.username }), me && h('span', { class: 'sub', text: 'you' })),
    h('td', null, u.email || muted('—')),
    h('td', null, u.is_active === false ? badge('Inactive', 'off') : badge('Active', 'ok')),
    box('is_admin'), box('can_change_schema'));
}
async function setUserFlag(e) {
  const box = e.target;
  if (!box.classList.contains('user-flag')) return;
  const u = find(S.users, box.dataset.id), field = box.dataset.field, value = box.checked, out = $('users-status');
  box.disabled = true;
  say(out, 'Saving…', 'busy');
  try {
    const d = await api('PATCH', `/api/users/${enc(u.id)}/`, { [field]: value });
    const row = Array.isArray(d) ? d[0] : d;
    Object.assign(u, row && typeof row === 'object' && field in row ? row : { [field]: value });
    box.checked = !!u[field];
    box.closest('tr').classList.add('changed');
    say(out, field === 'is_admin' ? `${u.username} is ${u[field] ? 'now' : 'no longer'} an admin.`
      : `${u.username} ${u[field] ? 'may now' : 'may no longer'} create tables and change columns (the schema permission).`, 'ok');
  } catch (err) {
    box.checked = !value;
    if (err.status !== 401) sayError(out, err, `Could not change ${u.username}`);
  } finally { box.disabled = false; }
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
  // schema
  resetNewTable();
  on('st-filter', 'input', () => { $('st-count').textContent = filterRows($('st-filter'), $('schema-tables').querySelectorAll('tr[data-filter]'))[1]; });
  on('goto-new-table', 'click', () => { $('new-table').scrollIntoView({ block: 'start' }); $('nt-name').focus({ preventScroll: true }); });
  on('new-table', 'submit', newTable);
  on('new-table', 'input', () => clearPreview('nt'));
  on('nt-add-column', 'click', () => addColumnRow(true));
  on('nt-reset', 'click', () => { resetNewTable(); say($('nt-status'), ''); });
  on('nt-columns', 'click', (e) => {
    const btn = e.target.closest('[data-action=remove]');
    if (!btn || $('nt-columns').tBodies[0].rows.length < 2) return;
    btn.closest('tr').remove();
    renumber(); clearPreview('nt');
  });
  // A primary key column is NOT NULL.
  on('nt-columns', 'change', (e) => {
    if (e.target.name !== 'primary_key') return;
    const n = e.target.closest('tr').querySelector('[name=nullable]');
    n.disabled = e.target.checked;
    if (e.target.checked) n.checked = false;
  });
  on('sd-columns', 'click', (e) => {
    const btn = e.target.closest('button[data-action]');
    if (!btn) return;
    if (btn.dataset.action === 'edit') openColumnForm(btn.dataset.column); else openDrop('cd', btn.dataset.column);
  });
  on('sd-add-column', 'click', () => openColumnForm(null));
  on('sd-drop-table', 'click', () => openDrop('dt', null));
  on('col-form', 'submit', columnChange);
  on('col-form', 'input', () => clearPreview('cf'));
  on('cf-cancel', 'click', closeForms);
  for (const p of ['cd', 'dt']) {
    on(`${p}-confirm`, 'input', () => { $(`${p}-submit`).disabled = !confirmed(p); clearPreview(p); });
    on(`${p}-cancel`, 'click', closeForms);
  }
  on('col-drop', 'submit', dropColumn);
  on('drop-table', 'submit', dropTable);
  on('ch-more', 'click', moreChanges);
  // row history
  on('business-table', 'change', setHistory);
  on('hist-form', 'submit', applyHistory);
  on('h-table', 'change', applyHistory);
  on('h-pk', 'input', () => { $('h-operation').disabled = !!$('h-pk').value.trim(); });
  on('hist-table', 'click', (e) => { const btn = e.target.closest('button[data-action=revert]'); if (btn) askRevert(btn); });
  on('hist-more', 'click', moreEntries);
  // users
  on('users-table', 'change', setUserFlag);
  window.addEventListener('hashchange', () => { S.changed = new Set(); route(); });
  refresh().then(route);
}
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
