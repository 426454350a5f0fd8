// Essaim — « Un territoire comme le mien » : la commune du lecteur, son profil, et les fiches classées par
// ressemblance, avec les raisons. Les règles (tranches, poids, phrases) viennent de essaim/search/territory.py
// (territoire-index/regles.json.gz) : ce script applique la même arithmétique que `essaim search --like`.
// Rien n'est téléchargé à l'ouverture ; la liste des communes arrive par initiale, à la frappe.
// Avec des mots, le moteur de la recherche (moteur.js) garde les fiches qui en parlent, et le classement
// ajoute leur pertinence à la ressemblance, comme `essaim search "mots" --like COMMUNE`.
import { SearchIndex } from "./moteur.js";

const settings = JSON.parse(document.getElementById("essaim-territoire-data").textContent);
const BASE = new URL(settings.index, location.href);
const engine = new SearchIndex(new URL(settings.recherche, location.href));
const wordsInput = document.getElementById("essaim-mots");
const [form, input, codeField, listbox, themeSelect, profileZone, status, ranking, more] = [
  "essaim-territoire", "essaim-commune", "essaim-code", "essaim-communes", "essaim-theme", "essaim-profil",
  "essaim-territoire-statut", "essaim-classement", "essaim-territoire-plus"].map((id) => document.getElementById(id));
const files = new Map();
const SUGGESTIONS = 8;
const PAGE_SIZE = 20;
let options = [];
let active = -1;
let place = null;
let ranked = [];

function load(path) {
  if (!files.has(path)) {
    files.set(path, (async () => {
      const response = await fetch(new URL(path, BASE));
      if (response.status === 404) return null;
      if (!response.ok) throw new Error(`${path} : ${response.status}`);
      return new Response(response.body.pipeThrough(new DecompressionStream("gzip"))).json();
    })());
  }
  return files.get(path);
}

// Same folding as essaim.model.vocabularies.fold: no accents, lower case, separators as spaces.
export function fold(text) {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/[_\-']/g, " ")
    .split(/\s+/).filter(Boolean).join(" ");
}

// A node with attributes (`text` sets its text; null, undefined and false attributes are left out).
function el(tag, attrs = {}, ...children) {
  const node = Object.assign(document.createElement(tag), { textContent: attrs.text ?? "" });
  Object.entries(attrs).filter(([name, value]) => name !== "text" && value != null && value !== false)
    .forEach(([name, value]) => node.setAttribute(name, value === true ? "" : value));
  node.append(...children);
  return node;
}

const number = (n) => n.toLocaleString("fr-FR").replace(/\s/g, "\u202f");
const departementOf = (code) => (code.startsWith("97") || code.startsWith("98") ? code.slice(0, 3) : code.slice(0, 2));
const chunkOf = (name) => `communes/${(fold(name).codePointAt(0) || 95).toString(16)}.json.gz`;

// --- profil et ressemblance (essaim/search/territory.py) ------------------------------
function bandOf(population, rules) {
  if (population === null) return null;
  return rules.bornes.reduce((band, low, i) => (population >= low ? i : band), 0);
}

function profileOf(row, rules, epcis) {
  const [name, code, population, epciNumber] = row;
  const departement = departementOf(code);
  const [kind, epciName] = epciNumber >= 0 ? epcis[epciNumber] : ["aucun", null];
  const band = bandOf(population, rules);
  const overseas = departement.length === 3 && departement >= "97";
  const kinds = [];
  if (overseas) kinds.push("outre_mer");
  if (kind === "cc" || band === 0) kinds.push("rural");
  else if (["metropole", "cu", "ca"].includes(kind) && band !== null && band >= 2) kinds.push("urbain");
  return { name, code, population, band, epci: kind, epciName, departement,
           region: rules.departements[departement][1], overseas, kinds };
}

const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, key) => values[key]);

export function similarity(p, card, rules) {
  const w = rules.poids;
  const parts = [];
  const add = (part, values = {}) => parts.push([part, fill(rules.raisons[part], values)]);
  let best = [0, [], null];
  for (const [band, epci] of card.communes) {
    const found = [];
    if (p.band !== null && band !== null) {
      if (band === p.band) found.push("taille");
      else if (Math.abs(band - p.band) === 1) found.push("taille_proche");
    }
    if (epci === p.epci) found.push("epci");
    const weight = found.reduce((sum, part) => sum + w[part], 0);
    if (weight > best[0]) best = [weight, found, band];
  }
  for (const part of best[1]) {
    if (part === "epci") add(part, { epci: rules.epci_raisons[p.epci] });
    else add(part, { band: rules.tranches[best[2]] });
  }
  for (const kind of p.kinds) {
    if (card.types.includes(kind) && kind !== "outre_mer") add("type", { kind: rules.types[kind] });
  }
  if (card.departements.includes(p.departement)) {
    add("departement", { departement: rules.departements[p.departement][0] });
  } else {
    const near = card.departements.filter((d) => (rules.voisins[p.departement] || []).includes(d));
    if (near.length) add("voisin", { departement: rules.departements[near[0]][0] });
    else if (card.regions.includes(p.region)) add("region", { region: rules.regions[p.region] });
    const overseasCard = card.types.includes("outre_mer")
      || card.departements.some((d) => d.length === 3 && d >= "97");
    if (p.overseas && overseasCard) add("outre_mer");
  }
  const score = parts.reduce((sum, [part]) => sum + w[part], 0);
  return { score: Math.round(score * 1000) / 1000, reasons: parts.map(([, text]) => text),
           note: card.base === "communes" ? null : rules.notes[card.base] };
}

// --- saisie et suggestions ----------------------------------------------------
async function candidates(text) {
  const query = fold(text);
  if (!query) return [];
  const rows = (await load(chunkOf(query))) || [];
  const exact = [];
  const start = [];
  for (const row of rows) {
    const name = fold(row[0]);
    if (name === query) exact.push(row);
    else if (name.startsWith(query)) start.push(row);
  }
  start.sort((a, b) => (b[2] || 0) - (a[2] || 0));
  return [...exact, ...start];
}

function closeList() {
  listbox.hidden = true;
  input.setAttribute("aria-expanded", "false");
  input.removeAttribute("aria-activedescendant");
  active = -1;
}

async function showList(rows, rules) {
  options = rows.slice(0, SUGGESTIONS);
  listbox.replaceChildren(...options.map((row, i) => {
    const dep = departementOf(row[1]);
    const details = `${rules.departements[dep][0]} (${dep})` + (row[2] !== null ? ` · ${number(row[2])} hab.` : "");
    const option = el("li", { id: `essaim-commune-${i}`, role: "option", "aria-selected": "false",
                              class: "essaim-communes__option" },
                      el("span", { class: "essaim-communes__nom", text: row[0] }),
                      el("span", { class: "essaim-discret", text: details }));
    option.addEventListener("mousedown", (event) => { event.preventDefault(); choose(row); });
    return option;
  }));
  listbox.hidden = options.length === 0;
  input.setAttribute("aria-expanded", String(options.length > 0));
}

function highlight(index) {
  active = (index + options.length) % options.length;
  [...listbox.children].forEach((node, i) => node.setAttribute("aria-selected", String(i === active)));
  input.setAttribute("aria-activedescendant", `essaim-commune-${active}`);
}

// --- état <-> adresse -----------------------------------------------------------
function writeState() {
  const params = new URLSearchParams();
  if (place) {
    params.set("commune", place.code);
    params.set("nom", place.name);
  }
  if (wordsInput.value.trim()) params.set("q", wordsInput.value.trim());
  if (themeSelect.value) params.set("theme", themeSelect.value);
  const query = params.toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
}

async function choose(row) {
  const [rules, epcis] = await Promise.all([load("regles.json.gz"), load("epci.json.gz")]);
  closeList();
  place = profileOf(row, rules, epcis);
  input.value = row[0];
  codeField.value = row[1];
  writeState();
  showProfile(rules);
  await rank(rules);
}

function showProfile(rules) {
  const p = place;
  const lines = [];
  if (p.population !== null) lines.push(`${number(p.population)} habitants (${rules.tranches[p.band]})`);
  const epci = rules.epci[p.epci];
  lines.push(epci.charAt(0).toUpperCase() + epci.slice(1) + (p.epciName ? ` : ${p.epciName}` : ""));
  lines.push(`Département : ${rules.departements[p.departement][0]} (${p.departement})`);
  if (rules.regions[p.region]) lines.push(`Région : ${rules.regions[p.region]}`);
  if (p.overseas) lines.push("Outre-mer");
  profileZone.replaceChildren(el("h2", { text: `${p.name} (${p.code})` }), el("p", { text: lines.join(" · ") }));
  profileZone.hidden = false;
}

// Without words: likeness, then title. With words: the engine's matches (theme as a filter), each scored
// likeness + relevance scaled to the best match (essaim/search/territory_ranking.py: combined_score); ties
// keep the engine's order.
async function rankCards(cards, theme, words, rules) {
  if (!words) {
    const chosen = cards.filter((card) => !theme || card.th.includes(theme))
      .map((card) => { const match = similarity(place, card.pr, rules); return { card, match, score: match.score }; });
    // Ties: the title, lower-cased, compared by code point (as the command line's title order).
    const key = (entry) => entry.card.t.toLowerCase();
    return chosen.sort((a, b) => b.score - a.score || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }
  const result = await engine.search({ q: words, filters: theme ? { theme: [theme] } : {}, tri: "pertinence" },
                                     { limit: Infinity });
  const byId = new Map(cards.map((card) => [card.id, card]));
  const best = result.scores && result.scores.length ? Math.max(...result.scores) : 0;
  const chosen = result.hits.map((hit, order) => ({ card: byId.get(hit.id), order, relevance: result.scores[order] }))
    .filter((entry) => entry.card)
    .map(({ card, order, relevance }) => {
      const match = similarity(place, card.pr, rules);
      const text = best > 0 ? rules.poids_pertinence * relevance / best : 0;
      return { card, match, order, score: Math.round((match.score + text) * 1000) / 1000 };
    });
  return chosen.sort((a, b) => b.score - a.score || a.order - b.order);
}

async function rank(rules) {
  const cards = await load("fiches.json.gz");
  const theme = themeSelect.value;
  const words = wordsInput.value.trim();
  form.dataset.etat = "calcul";
  const chosen = await rankCards(cards, theme, words, rules);
  if (words !== wordsInput.value.trim() || theme !== themeSelect.value) return; // a newer change
  ranked = chosen;
  ranking.replaceChildren();
  showMore();
  const n = chosen.length;
  const themeText = theme ? `, thème « ${themeSelect.selectedOptions[0].text} »` : "";
  status.textContent = !words
    ? `${n} fiche${n > 1 ? "s" : ""} classée${n > 1 ? "s" : ""} par ressemblance avec ${place.name}${themeText}.`
    : n === 0
      ? `Aucune fiche ne parle de « ${words} »${themeText} : essayez d'autres mots, ou videz ce champ pour `
        + `classer toutes les fiches par ressemblance avec ${place.name}.`
      : `${n} fiche${n > 1 ? "s" : ""} parle${n > 1 ? "nt" : ""} de « ${words} »${themeText} ; classée${n > 1 ? "s" : ""}`
        + ` par ressemblance avec ${place.name} et par pertinence.`;
  form.dataset.etat = "pret";
}

function showMore() {
  const root = new URL(settings.site, location.href);
  const start = ranking.children.length;
  ranking.append(...ranked.slice(start, start + PAGE_SIZE).map(({ card, match, score }) => {
    const reasons = match.reasons.length ? match.reasons : ["aucun point commun relevé"];
    return el("li", { class: "essaim-resultat", "data-id": card.id, "data-score": String(score) },
      el("h3", { class: "essaim-resultat__titre" }, el("a", { href: new URL(card.u, root).href, text: card.t })),
      el("p", { class: "essaim-resultat__meta", text: [card.p, card.l].filter(Boolean).join(" — ") }),
      el("ul", { class: "essaim-raisons", "aria-label": "Points communs" },
         ...reasons.map((text) => el("li", { text }))),
      ...(match.note ? [el("p", { class: "essaim-discret essaim-note", text: match.note })] : []),
      el("p", { class: "essaim-fraicheur" }, card.fr.t,
         ...(card.fr.v ? [el("strong", { class: "essaim-badge-a-verifier", text: "à vérifier" })] : [])));
  }));
  more.hidden = ranking.children.length >= ranked.length;
}
more.addEventListener("click", showMore);

input.addEventListener("input", async () => {
  const text = input.value;
  const [rows, rules] = await Promise.all([candidates(text), load("regles.json.gz")]);
  if (input.value !== text) return; // a newer keystroke
  await showList(rows, rules);
});

input.addEventListener("keydown", (event) => {
  if (event.key === "ArrowDown" && options.length) { event.preventDefault(); highlight(active + 1); }
  else if (event.key === "ArrowUp" && options.length) { event.preventDefault(); highlight(active - 1); }
  else if (event.key === "Escape") closeList();
  else if (event.key === "Enter") {
    event.preventDefault();
    if (active >= 0) choose(options[active]);
    else if (options.length === 1 || (options.length && fold(options[0][0]) === fold(input.value)
             && (options.length < 2 || fold(options[1][0]) !== fold(input.value)))) choose(options[0]);
    else if (options.length) {
      status.textContent = "Plusieurs communes correspondent : choisissez-la dans la liste.";
      listbox.hidden = false;
    }
  }
});
input.addEventListener("blur", () => setTimeout(closeList, 150));
form.addEventListener("submit", (event) => event.preventDefault());
themeSelect.addEventListener("change", async () => {
  if (place) form.dataset.etat = "calcul"; // before the address changes: tests and readers wait on it
  writeState();
  if (place) await rank(await load("regles.json.gz"));
});
let wordsTimer = null;
async function wordsChanged() {
  clearTimeout(wordsTimer);
  if (place) form.dataset.etat = "calcul";
  writeState();
  if (place) await rank(await load("regles.json.gz"));
}
wordsInput.addEventListener("input", () => { clearTimeout(wordsTimer); wordsTimer = setTimeout(wordsChanged, 350); });
wordsInput.addEventListener("keydown", (event) => {
  if (event.key === "Enter") { event.preventDefault(); wordsChanged(); }
});

// Opening with a state in the address: ?commune=CODE&nom=NOM&theme=…, or only ?nom=NOM.
(async () => {
  const params = new URLSearchParams(location.search);
  const theme = params.get("theme");
  if (theme && [...themeSelect.options].some((o) => o.value === theme)) themeSelect.value = theme;
  wordsInput.value = params.get("q") || "";
  const name = params.get("nom");
  const code = params.get("commune");
  if (!name) return;
  input.value = name;
  const rows = await candidates(name);
  const same = rows.filter((row) => (code ? row[1] === code : fold(row[0]) === fold(name)));
  if (same.length === 1) await choose(same[0]);
  else if (same.length > 1) {
    status.textContent = `Plusieurs communes s'appellent « ${name} » : choisissez la vôtre.`;
    await showList(same, await load("regles.json.gz"));
    form.dataset.etat = "choix";
  } else status.textContent = `Commune « ${name} » inconnue : tapez son nom officiel.`;
})();
