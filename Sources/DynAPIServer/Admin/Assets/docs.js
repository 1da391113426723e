// DynAPI API docs: renders the live OpenAPI document of /api/schema/. Vanilla ES2020.
'use strict';
(() => {
const { $, add, h } = window.DynAPIDom;
const slug = (s) => String(s).replace(/[^A-Za-z0-9_-]+/g, '-');
const json = JSON.stringify;
// Text with `code` spans, as the document's descriptions write them.
const rich = (text) => String(text).split('`').map((part, i) => (i % 2 ? h('code', { text: part }) : part));
const table = (heads, rows) => h('div', { class: 'scroll' }, h('table', { class: 'grid' },
  h('thead', null, h('tr', null, heads.map((c) => h('th', { scope: 'col', text: c })))), h('tbody', null, rows)));
let doc;

// A `$ref` inside the document, followed to its target.
function resolve(o) {
  for (let i = 0; o && o.$ref && o.$ref.startsWith('#/') && i < 20; i++) {
    const t = o.$ref.slice(2).split('/').reduce((x, k) => x && x[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
    if (!t) break;
    o = t;
  }
  return o || {};
}
const isSchemaRef = (s) => s && s.$ref && s.$ref.startsWith('#/components/schemas/');
const refName = (s) => decodeURIComponent(s.$ref.split('/').pop()).replace(/~1/g, '/').replace(/~0/g, '~');
const nonNull = (list) => list.filter((a) => !(a && a.type === 'null'));

// A schema's type in a few words: a link to a component, "array of …", "one of … | …".
function type(s) {
  if (!s || typeof s !== 'object') return h('span', { class: 'type', text: 'any' });
  if (isSchemaRef(s)) return h('a', { class: 'type', href: `#schema-${slug(refName(s))}`, text: refName(s) });
  const alts = s.oneOf || s.anyOf;
  if (alts) {
    const real = nonNull(alts);
    return h('span', null, real.length > 1 && (s.oneOf ? 'one of ' : 'any of '), real.map((a, i) => [i ? ' | ' : '', type(a)]));
  }
  if (s.allOf) return h('span', null, s.allOf.map((a, i) => [i ? ' & ' : '', type(a)]));
  const list = [].concat(s.type || []).filter((t) => t !== 'null');
  if (list.includes('array') && s.items) return h('span', null, h('span', { class: 'type', text: 'array' }), ' of ', type(s.items));
  const t = list.join(' | ') || (s.properties ? 'object' : s.enum ? 'enum' : 'any');
  return h('span', { class: 'type', text: s.format ? `${t} (${s.format})` : t });
}
// Nullability, lengths, bounds, enums, defaults.
function facts(s) {
  s = s || {};
  const alts = s.anyOf || s.oneOf || [];
  const v = alts.length === 2 && nonNull(alts).length === 1 ? { ...nonNull(alts)[0], ...s } : s;
  const out = [];
  if (s.nullable || [].concat(s.type).includes('null') || nonNull(alts).length < alts.length) out.push('nullable');
  const put = (k, label) => { if (v[k] != null) out.push(`${label} ${v[k]}`); };
  // The bounds an int4 or int8 has anyway are not worth a line.
  const full = (v.format === 'int32' && v.maximum === 2147483647) || (v.format === 'int64' && v.maximum >= 9e18);
  put('maxLength', 'max length'); put('minLength', 'min length');
  if (!full) { put('minimum', '≥'); put('maximum', '≤'); }
  put('exclusiveMinimum', '>'); put('exclusiveMaximum', '<'); put('pattern', 'pattern');
  if (v.enum) out.push(`one of: ${v.enum.map((x) => json(x)).join(', ')}`);
  if (v.const !== undefined) out.push(`always ${json(v.const)}`);
  if (v.default !== undefined) out.push(`default ${json(v.default)}`);
  if (v.readOnly) out.push('read-only');
  if (v.writeOnly) out.push('write-only');
  return out.join(' · ');
}
function properties(s, depth) {
  const req = new Set(s.required || []);
  return table(['Property', 'Type', 'Details', 'Description'], Object.entries(s.properties).map(([n, p]) => h('tr', null,
    h('th', { scope: 'row' }, h('code', { text: n }), req.has(n) && h('span', { class: 'req', text: ' required' })),
    h('td', null, type(p)), h('td', { text: facts(p) }),
    h('td', null, p.description && h('span', { class: 'desc' }, rich(p.description)),
      depth < 2 && !p.$ref && (p.properties ? schema(p, depth + 1) : p.items && p.items.properties && schema(p.items, depth + 1))))));
}
// A schema: its type and facts, then its properties (`open` also follows a reference to show them).
function schema(s, depth = 0, open = false) {
  const box = h('div', { class: 'schema-box' }, h('div', null, type(s), facts(s) && h('span', { class: 'muted', text: ` · ${facts(s)}` })));
  let t = open && isSchemaRef(s) ? resolve(s) : s;
  if (t.items && !isSchemaRef(t.items)) t = t.items;
  if (!t.$ref && t.properties && Object.keys(t.properties).length) box.append(properties(t, depth));
  return box;
}
const content = (c, open) => Object.entries(c || {}).map(([mt, m]) => h('div', null, h('code', { text: mt }), m.schema && schema(m.schema, 0, open)));

function operation(path, method, op, shared) {
  const secured = (op.security || doc.security || []).some((r) => Object.keys(r).length);
  const d = h('details', { class: 'op', id: `op-${method}-${slug(path)}`,
    'data-filter': `${method} ${path} ${op.summary || ''} ${op.operationId || ''}`.toLowerCase() },
  h('summary', null, h('span', { class: `method ${method}`, text: method.toUpperCase() }), h('code', { class: 'path', text: path }),
    op.summary && h('span', { class: 'opsum', text: op.summary }), secured && h('span', { class: 'lock', text: '(needs a token)' }),
    op.deprecated && h('span', { class: 'badge off', text: 'deprecated' })));
  const body = h('div', { class: 'body' });
  if (op.description) body.append(h('p', { class: 'desc' }, rich(op.description)));
  const params = new Map();
  for (const p of [...shared, ...(op.parameters || [])]) { const r = resolve(p); params.set(`${r.in}:${r.name}`, r); }
  if (params.size) {
    body.append(h('h4', { text: 'Parameters' }), table(['Name', 'In', 'Type', 'Description'], [...params.values()].map((p) => h('tr', null,
      h('th', { scope: 'row' }, h('code', { text: p.name }), p.required && h('span', { class: 'req', text: ' required' })),
      h('td', { text: p.in }), h('td', null, p.schema ? type(p.schema) : Object.keys(p.content || {}).join(', ')),
      h('td', null, p.description && h('span', { class: 'desc' }, rich(p.description)), facts(p.schema) && h('span', { class: 'def', text: facts(p.schema) }))))));
  }
  if (op.requestBody) {
    const rb = resolve(op.requestBody);
    add(body, h('h4', null, 'Request body', rb.required && h('span', { class: 'req', text: ' required' })),
      rb.description && h('p', { class: 'desc' }, rich(rb.description)), content(rb.content, true));
  }
  body.append(h('h4', { text: 'Responses' }), table(['Status', 'Description', 'Body'], Object.entries(op.responses || {}).map(([status, raw]) => {
    const r = resolve(raw);
    return h('tr', null, h('th', { scope: 'row', text: status }), h('td', { class: 'desc' }, rich(r.description || '')), h('td', null, content(r.content)));
  })));
  d.append(body);
  return d;
}

function render() {
  const info = doc.info || {}, toc = $('toc');
  add($('info'), h('h1', { id: 'doc-title', text: info.title || 'API' }),
    h('p', null, h('span', { class: 'badge info', text: `version ${info.version}` }), ' ', h('span', { class: 'badge neutral', text: `OpenAPI ${doc.openapi}` })),
    info.description && h('p', { class: 'desc' }, rich(info.description)));
  const schemes = Object.entries((doc.components || {}).securitySchemes || {});
  if (schemes.length) {
    add($('info'), h('h2', { id: 'security', text: 'Authentication' }), schemes.map(([name, raw]) => {
      const s = resolve(raw);
      return h('div', { class: 'card' }, h('dl', { class: 'kv' }, [['Scheme', name], ['Type', s.type], ['HTTP scheme', s.scheme],
        ['Token format', s.bearerFormat], ['Sent in', s.in && `${s.in} ${s.name}`], ['Description', s.description]]
        .filter((r) => r[1]).map(([k, v]) => [h('dt', { text: k }), h('dd', { class: 'desc' }, rich(v))])));
    }), h('p', { class: 'muted', text: 'Send the access token of POST /api/auth/login/ as “Authorization: Bearer <token>”. Operations marked “(needs a token)” refuse requests without one (401).' }));
  }
  const groups = new Map();
  for (const [path, raw] of Object.entries(doc.paths || {})) {
    const it = resolve(raw);
    for (const m of ['get', 'post', 'put', 'patch', 'delete', 'head', 'options']) {
      if (!it[m]) continue;
      const tag = (it[m].tags || ['Endpoints'])[0];
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag).push(operation(path, m, it[m], it.parameters || []));
    }
  }
  const tagText = new Map((doc.tags || []).map((t) => [t.name, t.description]));
  for (const [tag, ops] of groups) {
    $('paths').append(h('section', { class: 'tag-group', 'aria-labelledby': `tag-${slug(tag)}` },
      h('h3', { id: `tag-${slug(tag)}`, text: tag }), tagText.get(tag) && h('p', { class: 'muted desc' }, rich(tagText.get(tag))), ops));
  }
  const schemas = (doc.components || {}).schemas || {};
  const names = Object.keys(schemas).sort();
  add($('schemas'), names.map((n) => h('div', { class: 'schema-card', id: `schema-${slug(n)}`, 'data-filter': n.toLowerCase() },
    h('h3', null, h('code', { text: n })), schemas[n].description && h('p', { class: 'desc muted' }, rich(schemas[n].description)), schema(schemas[n]))));
  const links = (list) => h('ul', null, list.map(([href, text]) => h('li', null, h('a', { href, text }))));
  add(toc, links([['#doc-title', 'About'], schemes.length && ['#security', 'Authentication']].filter(Boolean)),
    h('h2', { text: 'Endpoints' }), links([...groups].map(([t, ops]) => [`#tag-${slug(t)}`, `${t} (${ops.length})`])),
    h('h2', { text: 'Schemas' }), links(names.map((n) => [`#schema-${slug(n)}`, n])));
  document.title = `${info.title || 'API'} · API docs`;
  $('status').hidden = true;
  $('docs').hidden = false;
  filter();
  openTarget();
}
function openTarget() {
  const t = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (t && t.tagName === 'DETAILS') t.open = true;
  if (t) t.scrollIntoView();
}
function filter() {
  const q = $('filter').value.trim().toLowerCase();
  let all = 0, shown = 0;
  for (const n of document.querySelectorAll('[data-filter]')) {
    n.hidden = q && !n.dataset.filter.includes(q);
    if (n.tagName === 'DETAILS') { all++; shown += n.hidden ? 0 : 1; }
  }
  for (const g of document.querySelectorAll('.tag-group')) g.hidden = !g.querySelector('details:not([hidden])');
  $('filter-count').textContent = q ? `${shown} of ${all} operations match.` : `${all} operations.`;
}

async function load() {
  const get = (token) => fetch('/api/schema/', { headers: token ? { Accept: 'application/json', Authorization: `Bearer ${token}` } : { Accept: 'application/json' } });
  let r = await get();
  if (r.status === 401 || r.status === 403) { // an admin signed in on /admin/ has a refresh cookie
    const s = await fetch('/admin/session/refresh', { method: 'POST' });
    if (s.ok) r = await get((await s.json()).access);
  }
  if (!r.ok) throw Object.assign(new Error(`HTTP ${r.status}`), { auth: r.status === 401 || r.status === 403 });
  doc = await r.json();
  render();
}
$('filter').addEventListener('input', filter);
$('tools').addEventListener('submit', (e) => e.preventDefault());
$('expand').addEventListener('click', () => { for (const d of document.querySelectorAll('details.op:not([hidden])')) d.open = true; });
$('collapse').addEventListener('click', () => { for (const d of document.querySelectorAll('details.op')) d.open = false; });
$('skip').addEventListener('click', (e) => { e.preventDefault(); $('main').focus(); });
window.addEventListener('hashchange', openTarget);
load().catch((err) => {
  $('status').className = 'msg err';
  $('status').replaceChildren(`Could not load the API description (${err.message}). `, err.auth ? h('a', { href: '/admin/', text: 'Sign in on the admin page' }) : '');
});
})();
