// DynAPI pages' DOM helpers, shared by admin.js and docs.js (each page loads this first). Vanilla ES2020.
'use strict';
window.DynAPIDom = (() => {
const $ = (id) => document.getElementById(id);
// Appends nodes and text, flattening arrays and skipping null, undefined and false.
const add = (n, ...kids) => {
  for (const c of kids.flat(9)) if (c != null && c !== false) n.append(c.nodeType ? c : String(c));
  return n;
};
const h = (tag, props, ...kids) => {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v == null || v === false) continue;
    if (k === 'class') n.className = v;
    else if (k === 'text') n.textContent = v;
    else if (typeof v !== 'string' && k in n) n[k] = v;
    else n.setAttribute(k, v === true ? '' : v);
  }
  return add(n, kids);
};
return { $, add, h };
})();
