// Essaim — page de recherche : mots + filtres (OU dans une rubrique, ET entre rubriques), comptes par
// option, suggestions de filtres, fautes corrigées ; l'état tient dans l'adresse (liens partageables).
// Le moteur (moteur.js) lit l'index statique ; rien n'est téléchargé avant la première recherche.
import { SearchIndex, fold } from "./moteur.js";

const ROOT = new URL("../", import.meta.url);
const PAGE = 10;
const form = document.getElementById("essaim-recherche");
const data = JSON.parse(document.getElementById("essaim-facettes-data").textContent);
const input = document.getElementById("essaim-q");
const zone = document.getElementById("essaim-facettes");
const toggle = document.getElementById("essaim-filtres-bouton");
const status = document.getElementById("essaim-statut");
const list = document.getElementById("essaim-liste");
const more = document.getElementById("essaim-plus");
const active = document.getElementById("essaim-actifs");
const sortSelect = document.getElementById("essaim-tri");
const guides = document.getElementById("essaim-guides");
const understood = document.getElementById("essaim-comprendre");
const seeResults = document.getElementById("essaim-voir");
const towardsTerritory = document.getElementById("essaim-vers-territoire");
const KEYS = data.facettes.map((f) => f.cle);
const labels = {};
const boxes = {};
const initial = { html: list.innerHTML, status: status.textContent };
const index = new SearchIndex(new URL("recherche-index/", ROOT));
let current = null;
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

const narrow = () => window.matchMedia("(max-width: 50em)").matches;

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
  return { q: (params.get("q") || "").trim().slice(0, 1000), filters, tri };
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

// --- filtres -----------------------------------------------------------------------
function buildFacets() {
  const closed = narrow(); // petit écran : rubriques fermées
  for (const facet of data.facettes) {
    labels[facet.cle] = {};
    boxes[facet.cle] = {};
    const details = el("details", { class: "essaim-facette", "data-facette": facet.cle, open: facet.ouverte && !closed });
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
      const count = el("span", { class: "essaim-facette__compte", text: `(${option.n})` });
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
  toggle.hidden = false;
  const openPanel = (open) => {
    zone.classList.toggle("essaim-facettes--ouvertes", open);
    seeResults.classList.toggle("essaim-voir--ouvert", open);
    toggle.setAttribute("aria-expanded", String(open));
  };
  toggle.addEventListener("click", () => openPanel(!zone.classList.contains("essaim-facettes--ouvertes")));
  // Petit écran : « Voir les N fiches » referme le panneau et amène aux résultats.
  seeResults.hidden = false;
  seeResults.addEventListener("click", () => {
    openPanel(false);
    status.scrollIntoView({ block: "start" });
    toggle.focus();
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
  toggle.textContent = entries.length ? `Filtres (${entries.length})` : "Filtres";
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

// --- résultats ------------------------------------------------------------------------
export function details(record, dated = false) {
  const period = record.a ? (record.s === "en_cours" ? `depuis ${record.a}` : `${record.a}${record.f ? `–${record.f}` : ""}`) : "";
  return [record.sl + (period ? ` (${period})` : ""), record.l, record.pt, record.n, record.c ? "contact publié" : "",
    dated ? `mise à jour ${record.md}` : ""].filter(Boolean);
}

function marked(text, stems) {
  // Les mots dont la forme pliée commence par un terme cherché sont surlignés (texte seul, aucun HTML).
  const out = el("p", { class: "essaim-resultat__extrait" });
  if (!stems.length) {
    out.textContent = text;
    return out;
  }
  for (const part of text.split(/([\p{L}\p{N}]+)/u)) {
    const f = fold(part);
    if (f.length > 2 && stems.some((s) => f.startsWith(s))) out.append(el("mark", { text: part }));
    else out.append(part);
  }
  return out;
}

function resultItem(record, stems) {
  const link = el("a", { href: new URL(record.u, ROOT).pathname, text: record.t });
  const meta = el("p", { class: "essaim-resultat__meta" });
  const dated = sortSelect.value === "recent" || (!input.value.trim() && sortSelect.value !== "titre");
  details(record, dated).forEach((part, i) => {
    if (i) meta.append(" · ");
    meta.append(part === "contact publié" ? el("span", { class: "essaim-resultat__contact", text: part }) : part);
  });
  return [el("li", { class: "essaim-resultat" }, el("h3", { class: "essaim-resultat__titre" }, link), meta, marked(record.r, stems)), link];
}

function stemsOf(understanding) {
  if (!understanding) return [];
  return [...new Set(understanding.groups.flatMap((g) => g.alternatives.flatMap((a) => a.terms)).filter((t) => t.length > 2))];
}

async function showMore(mine, focus = false) {
  const records = await index.page(current.ordered, shown, PAGE);
  if (mine !== generation) return;
  const stems = stemsOf(current.understanding);
  let first = null;
  for (const record of records) {
    const [item, link] = resultItem(record, stems);
    list.append(item);
    first = first || link;
  }
  shown += records.length;
  more.hidden = shown >= current.total;
  more.textContent = `Afficher ${Math.min(PAGE, current.total - shown)} résultats de plus`;
  if (focus && first) first.focus();
}

function showUnderstanding(result, state) {
  understood.replaceChildren();
  const parts = [];
  if (result.corrections.length) {
    parts.push(el("p", { text: `Orthographe corrigée : ${result.corrections.map(([typed, fixed]) => `« ${typed} » → « ${fixed} »`).join(", ")}.` }));
  }
  if (result.ignored.length && result.total) {
    parts.push(el("p", { text: `Mots absents de la base, ignorés : ${result.ignored.join(", ")}.` }));
  }
  if (result.suggestions.length) {
    const items = el("ul", { class: "essaim-suggestions" });
    for (const s of result.suggestions.slice(0, narrow() ? 2 : 3)) {
      const facet = data.facettes.find((f) => f.cle === s.facet);
      if (!facet || !boxes[s.facet][s.value]) continue;
      const button = el("button", { type: "button", class: "essaim-suggestion", "data-facette": s.facet, "data-valeur": s.value },
        `${facet.libelle} : ${labels[s.facet][s.value]} (${s.count})`);
      button.addEventListener("click", () => {
        boxes[s.facet][s.value].checked = true;
        run(currentState(), true);
      });
      items.append(el("li", {}, button));
    }
    if (items.children.length) parts.push(el("p", { class: "essaim-comprendre__titre", text: "Affiner avec un filtre :" }), items);
  }
  understood.append(...parts);
  understood.hidden = !parts.length;
}

function showEmpty(result, state) {
  const base = ROOT.pathname;
  const box = el("li", { class: "essaim-vide" },
    el("p", { text: state.q ? `Aucun mot de « ${state.q} » ne figure dans les fiches${result.ignored.length ? "" : " avec ces filtres"}.` : "Aucune fiche avec ces filtres." }));
  const tips = el("ul");
  if (Object.keys(state.filters).length) tips.append(el("li", { text: "Retirez un filtre : les comptes entre parenthèses disent combien de fiches chaque choix donnerait." }));
  tips.append(el("li", {}, "Parcourez les ", el("a", { href: `${base}themes/`, text: "thèmes" }), ", les ",
    el("a", { href: `${base}guides/`, text: "guides pratiques" }), " ou la ", el("a", { href: `${base}carte/`, text: "carte" }), "."));
  tips.append(el("li", {}, "Vous connaissez une action de ce genre ? ", el("a", { href: `${base}contribuer/`, text: "Proposez-la" }), "."));
  box.append(tips);
  list.append(box);
}

async function showGuides(state, mine) {
  guides.replaceChildren();
  guides.hidden = true;
  // Les guides n'ont que des thèmes : on les montre pour des mots, sans autre filtre que le thème.
  if (!state.q || Object.keys(state.filters).some((key) => key !== "theme")) return;
  const found = await index.search({ ...state, tri: "pertinence" }, { kind: "guide", limit: narrow() ? 1 : 2 });
  if (mine !== generation || !found.hits.length) return;
  const items = el("ul");
  for (const item of found.hits) items.append(el("li", {}, el("a", { href: new URL(item.u, ROOT).pathname, text: item.t })));
  guides.append(el("p", { class: "essaim-guides__titre", text: found.hits.length > 1 ? "Guides pratiques" : "Guide pratique" }), items);
  guides.hidden = false;
}

// « Classer par ressemblance avec votre commune » : the same words (and a single theme) on the territory page.
function showTowardsTerritory(state, result) {
  const themes = state.filters.theme || [];
  towardsTerritory.hidden = !state.q || !result.total;
  if (towardsTerritory.hidden) return;
  const params = new URLSearchParams({ q: state.q });
  if (themes.length === 1) params.set("theme", themes[0]);
  towardsTerritory.querySelector("a").href = `${new URL("territoire/", ROOT).href}?${params}`;
}

async function run(state, push) {
  const mine = ++generation;
  writeState(state, push);
  showActive(state);
  if (!state.q && !Object.keys(state.filters).length) {
    // Rien de cherché : la liste écrite dans la page, sans rien télécharger.
    list.innerHTML = initial.html;
    status.textContent = initial.status;
    understood.hidden = true;
    guides.hidden = true;
    more.hidden = true;
    towardsTerritory.hidden = true;
    for (const facet of data.facettes) for (const option of facet.options) boxes[facet.cle][option.v].row.count.textContent = `(${option.n})`;
    form.dataset.etat = "pret";
    return;
  }
  form.dataset.etat = "occupe";
  status.textContent = "Recherche en cours…";
  let result;
  try {
    result = await index.search(state, { limit: PAGE });
  } catch (error) {
    if (mine !== generation) return;
    status.textContent = "La recherche n'a pas pu se charger (index de recherche absent ou illisible).";
    form.dataset.etat = "erreur";
    return;
  }
  if (mine !== generation) return;
  current = result;
  updateCounts(result.facets, state);
  showUnderstanding(result, state);
  list.replaceChildren();
  shown = 0;
  const stems = stemsOf(result.understanding);
  for (const record of result.hits) list.append(resultItem(record, stems)[0]);
  shown = result.hits.length;
  more.hidden = shown >= result.total;
  more.textContent = `Afficher ${Math.min(PAGE, result.total - shown)} résultats de plus`;
  if (!result.total) showEmpty(result, state);
  showTowardsTerritory(state, result);
  const words = state.q && state.q.length <= 40 ? ` pour « ${state.q} »` : "";
  const nf = Object.values(state.filters).reduce((a, v) => a + v.length, 0);
  const withFilters = nf ? ` avec ${plural(nf, "filtre", "filtres")}` : "";
  const partial = state.q && result.total && result.complete < result.total
    ? (result.complete ? ` : ${result.complete} avec tous les mots, puis ${result.total - result.complete} avec une partie`
      : " contenant une partie des mots") : "";
  status.textContent = `${result.total === 0 ? "Aucune fiche" : plural(result.total, "fiche", "fiches")}${words}${withFilters}${partial}.`;
  seeResults.textContent = result.total === 0 ? "Aucune fiche : retirez un filtre"
    : result.total === 1 ? "Voir la fiche" : `Voir les ${result.total} fiches`;
  form.dataset.etat = "pret";
  await showGuides(state, mine);
}

function start() {
  buildFacets();
  const state = readState();
  applyState(state);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    run(currentState(), true).then(() => {
      if (window.matchMedia("(max-width: 50em)").matches) input.blur(); // ferme le clavier : les résultats se voient
    });
  });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(currentState(), false), 300);
  });
  sortSelect.addEventListener("change", () => run(currentState(), false));
  more.addEventListener("click", () => showMore(generation, true));
  window.addEventListener("popstate", () => {
    const s = readState();
    applyState(s);
    run(s, false);
  });
  if (narrow()) toggle.after(sortSelect.closest("p")); // petit écran : le tri à côté du bouton « Filtres »
  form.classList.add("essaim-recherche--prete");
  run(state, false).then(() => { document.documentElement.dataset.essaimRecherche = "prete"; });
}

start();
