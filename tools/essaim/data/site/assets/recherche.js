// Essaim — recherche à facettes sur l'index Pagefind (fichiers statiques seulement).
// Mots + facettes : OU à l'intérieur d'une facette, ET entre facettes ; comptes par option ;
// utilisable sans mots ; l'état tient dans l'adresse (liens partageables).
const ROOT = new URL("../", import.meta.url);
const PAGE = 10;
const form = document.getElementById("essaim-recherche");
const data = JSON.parse(document.getElementById("essaim-facettes-data").textContent);
const input = document.getElementById("essaim-q");
const zone = document.getElementById("essaim-facettes");
const status = document.getElementById("essaim-statut");
const list = document.getElementById("essaim-liste");
const more = document.getElementById("essaim-plus");
const active = document.getElementById("essaim-actifs");
const sortSelect = document.getElementById("essaim-tri");
const guides = document.getElementById("essaim-guides");
const KEYS = data.facettes.map((f) => f.cle);
const labels = {};
const boxes = {};
let pagefind = null;
let results = [];
let shown = 0;
let generation = 0;
let timer = null;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v;
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children) node.append(child);
  return node;
}

function plural(n, one, many) {
  return n === 0 ? `aucune ${one}` : `${n} ${n === 1 ? one : many}`;
}

// --- état <-> adresse ---------------------------------------------------------
function readState() {
  const params = new URLSearchParams(location.search);
  const filters = {};
  for (const key of KEYS) {
    const values = (params.get(key) || "").split(",").map((v) => v.trim()).filter((v) => labels[key] && labels[key][v]);
    if (values.length) filters[key] = [...new Set(values)];
  }
  const tri = ["pertinence", "recent", "titre"].includes(params.get("tri")) ? params.get("tri") : "pertinence";
  return { q: (params.get("q") || "").trim(), filters, tri };
}

function currentState() {
  const filters = {};
  for (const key of KEYS) {
    const values = Object.entries(boxes[key]).filter(([, box]) => box.checked).map(([v]) => v);
    if (values.length) filters[key] = values;
  }
  return { q: input.value.trim(), filters, tri: sortSelect.value };
}

function writeState(state, push) {
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  for (const key of KEYS) if (state.filters[key]) params.set(key, state.filters[key].join(","));
  if (state.tri !== "pertinence") params.set("tri", state.tri);
  const query = params.toString().replace(/%2C/g, ",");
  const url = location.pathname + (query ? `?${query}` : "");
  if (url !== location.pathname + location.search) history[push ? "pushState" : "replaceState"](null, "", url);
}

function applyState(state) {
  input.value = state.q;
  sortSelect.value = state.tri;
  for (const key of KEYS) for (const [value, box] of Object.entries(boxes[key])) box.checked = (state.filters[key] || []).includes(value);
}

// --- facettes ---------------------------------------------------------------------
function buildFacets() {
  for (const facet of data.facettes) {
    labels[facet.cle] = {};
    boxes[facet.cle] = {};
    const narrow = window.matchMedia("(max-width: 50em)").matches; // petit écran : rubriques fermées
    const details = el("details", { class: "essaim-facette", "data-facette": facet.cle, open: facet.ouverte && !narrow });
    const summary = el("summary", {}, el("span", { text: facet.libelle }), el("span", { class: "essaim-facette__nb" }));
    const fieldset = el("fieldset", {}, el("legend", { class: "essaim-vh", text: facet.libelle }));
    let group = fieldset;
    let groupName = null;
    for (const option of facet.options) {
      labels[facet.cle][option.v] = option.l;
      if (option.g && option.g !== groupName) {
        groupName = option.g;
        group = el("fieldset", { class: "essaim-facette__groupe" }, el("legend", { text: option.g }));
        fieldset.append(group);
      }
      const id = `f-${facet.cle}-${option.v}`;
      const box = el("input", { type: "checkbox", id, name: facet.cle, value: option.v });
      const count = el("span", { class: "essaim-facette__compte" });
      const row = el("div", { class: "essaim-option" }, box, el("label", { for: id }, el("span", { text: option.l }), " ", count));
      row.count = count;
      box.row = row;
      boxes[facet.cle][option.v] = box;
      group.append(row);
    }
    details.append(summary, fieldset);
    zone.append(details);
  }
  zone.addEventListener("change", (event) => {
    if (event.target.matches("input[type=checkbox]")) run(currentState(), false);
  });
}

function updateCounts(counts, state) {
  for (const key of KEYS) {
    const selected = state.filters[key] || [];
    let visible = 0;
    for (const [value, box] of Object.entries(boxes[key])) {
      const n = (counts[key] && counts[key][value]) || 0;
      box.row.count.textContent = `(${n})`;
      const show = n > 0 || selected.includes(value);
      box.row.hidden = !show;
      if (show) visible += 1;
    }
    const details = zone.querySelector(`[data-facette="${key}"]`);
    for (const group of details.querySelectorAll(".essaim-facette__groupe")) {
      group.hidden = ![...group.querySelectorAll(".essaim-option")].some((row) => !row.hidden);
    }
    details.querySelector(".essaim-facette__nb").textContent = selected.length
      ? ` (${selected.length} choisi${selected.length > 1 ? "s" : ""})` : visible ? "" : " (aucune option)";
  }
}

function showActive(state) {
  active.replaceChildren();
  const entries = KEYS.flatMap((key) => (state.filters[key] || []).map((value) => [key, value]));
  if (!entries.length) {
    active.hidden = true;
    return;
  }
  active.hidden = false;
  const items = el("ul", { class: "essaim-actifs__liste" });
  for (const [key, value] of entries) {
    const facet = data.facettes.find((f) => f.cle === key);
    const button = el("button", { type: "button", class: "essaim-actif", "aria-label": `Retirer le filtre ${facet.libelle} : ${labels[key][value]}` },
      `${facet.libelle} : ${labels[key][value]} ✕`);
    button.addEventListener("click", () => {
      boxes[key][value].checked = false;
      run(currentState(), false).then(() => input.focus());
    });
    items.append(el("li", {}, button));
  }
  const clear = el("button", { type: "button", class: "essaim-actif essaim-actif--tout", text: "Retirer tous les filtres" });
  clear.addEventListener("click", () => {
    for (const key of KEYS) for (const box of Object.values(boxes[key])) box.checked = false;
    run(currentState(), false).then(() => input.focus());
  });
  items.append(el("li", {}, clear));
  active.append(el("p", { class: "essaim-vh", text: "Filtres actifs" }), items);
}

// --- recherche --------------------------------------------------------------------
function pagefindFilters(filters, without) {
  const out = {};
  for (const [key, values] of Object.entries(filters)) if (key !== without) out[key] = { any: values };
  return out;
}

function options(state, filters) {
  const opts = { filters };
  const sort = state.tri === "titre" ? { titre: "asc" } : state.tri === "recent" || !state.q ? { maj: "desc" } : null;
  if (sort) opts.sort = sort;
  return opts;
}

async function query(state, filters) {
  // Les facettes portent sur les fiches : les guides ont leur propre liste (voir showGuides).
  return pagefind.search(state.q || null, options(state, { ...filters, type: "fiche" }));
}

async function showGuides(state, mine) {
  guides.replaceChildren();
  guides.hidden = true;
  // Les guides n'ont que des thèmes : on les montre pour des mots, sans autre filtre que le thème.
  if (!state.q || Object.keys(state.filters).some((key) => key !== "theme")) return;
  const filters = { type: "guide", ...pagefindFilters(state.filters) };
  const found = await pagefind.search(state.q, { filters });
  const items = await Promise.all(found.results.slice(0, 3).map((r) => r.data()));
  if (mine !== generation || !items.length) return;
  const list = el("ul");
  for (const item of items) list.append(el("li", {}, el("a", { href: item.url, text: (item.meta || {}).title || item.url })));
  guides.append(el("p", { class: "essaim-guides__titre", text: `Guides pratiques (${found.results.length})` }), list);
  guides.hidden = false;
}

async function run(state, push) {
  const mine = ++generation;
  form.dataset.etat = "occupe";
  writeState(state, push);
  showActive(state);
  status.textContent = "Recherche en cours…";
  const main = await query(state, pagefindFilters(state.filters));
  if (mine !== generation) return;
  // Comptes d'une facette choisie : sans son propre filtre (OU à l'intérieur, ET entre facettes).
  const counts = { ...main.filters };
  await Promise.all(Object.keys(state.filters).map(async (key) => {
    const other = await query(state, pagefindFilters(state.filters, key));
    counts[key] = other.filters[key] || {};
  }));
  if (mine !== generation) return;
  updateCounts(counts, state);
  results = main.results;
  shown = 0;
  list.replaceChildren();
  await Promise.all([showMore(mine), showGuides(state, mine)]);
  const n = results.length;
  const words = state.q ? ` pour « ${state.q} »` : "";
  const nf = Object.values(state.filters).reduce((a, v) => a + v.length, 0);
  const withFilters = nf ? ` avec ${plural(nf, "filtre", "filtres")}` : "";
  status.textContent = `${n === 0 ? "Aucune fiche" : plural(n, "fiche", "fiches")}${words}${withFilters}.`;
  form.dataset.etat = "pret";
}

async function showMore(mine, focus = false) {
  const slice = results.slice(shown, shown + PAGE);
  const items = await Promise.all(slice.map((r) => r.data()));
  if (mine !== generation) return;
  let first = null;
  for (const item of items) {
    const meta = item.meta || {};
    const link = el("a", { href: item.url, text: meta.title || item.url });
    const details = [meta.porteur, meta.lieu, meta.maj ? `mise à jour ${meta.maj}` : ""].filter(Boolean).join(" · ");
    const excerpt = el("p", { class: "essaim-resultat__extrait" });
    if (input.value.trim() && item.excerpt) excerpt.innerHTML = item.excerpt; // Pagefind échappe l'extrait (balises <mark> seules)
    else excerpt.textContent = meta.resume || "";
    const li = el("li", { class: "essaim-resultat" }, el("h3", { class: "essaim-resultat__titre" }, link),
      el("p", { class: "essaim-resultat__meta", text: details }), excerpt);
    list.append(li);
    first = first || link;
  }
  shown += slice.length;
  more.hidden = shown >= results.length;
  more.textContent = `Afficher ${Math.min(PAGE, results.length - shown)} résultats de plus`;
  if (focus && first) first.focus();
}

async function start() {
  buildFacets();
  try {
    pagefind = await import(new URL("pagefind/pagefind.js", ROOT).href);
    await pagefind.options({ baseUrl: ROOT.pathname, excerptLength: 26 });
    await pagefind.filters(); // charge toutes les facettes : leurs comptes accompagnent chaque recherche
  } catch (error) {
    status.textContent = "La recherche n'a pas pu se charger : l'index de recherche est absent (lancez « essaim build »).";
    return;
  }
  const state = readState();
  applyState(state);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    run(currentState(), true);
  });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    if (input.value.trim()) pagefind.preload(input.value.trim());
    timer = setTimeout(() => run(currentState(), false), 350);
  });
  sortSelect.addEventListener("change", () => run(currentState(), false));
  more.addEventListener("click", () => showMore(generation, true));
  window.addEventListener("popstate", () => {
    const s = readState();
    applyState(s);
    run(s, false);
  });
  form.classList.add("essaim-recherche--prete");
  await run(state, false);
  document.documentElement.dataset.essaimRecherche = "prete";
}

start();
