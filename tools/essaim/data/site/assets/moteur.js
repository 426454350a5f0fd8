// Essaim — moteur de recherche du site : lit l'index statique écrit par « essaim build » (dossier
// recherche-index/), sans serveur. Même compréhension des requêtes et même classement que
// « essaim search » : ce fichier transcrit tools/essaim/search/understanding.py et le classement de
// tools/essaim/search/engine.py (docs/recherche.md) ; un test navigateur compare les deux sur tout le
// jeu de requêtes notées. Aucun fichier d'index n'est téléchargé avant la première recherche.

export const MAX_QUERY_CHARS = 1000;
export const MAX_WORD_CHARS = 40;
export const MAX_WORDS = 16;
const MAX_PHRASE = 6;
const PREFIX_MIN = 3;
const PREFIX_EXPANSIONS = 5;
const STEM_MIN = 4;
const STEM_SUFFIX_MAX = 4;
const MAX_SUGGESTIONS = 4;
const SUGGESTION_ORDER = ["region", "departement", "theme", "public", "territoire", "porteur"];
const TOKEN = /[\p{L}\p{N}]+(?:[·•⋅][\p{L}\p{N}]+)*/gu;
const LIGATURES = { "œ": "oe", "æ": "ae", "ß": "ss" };

// --- compréhension de la requête (understanding.py) --------------------------------------
export function fold(word) {
  return word.toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "").replace(/[œæß]/g, (c) => LIGATURES[c]);
}

export function foldInclusive(word) {
  const parts = word.split(/[·•⋅]/);
  if (parts.length < 2) return word;
  const base = parts[0];
  const last = parts[parts.length - 1];
  return base + (last.endsWith("s") && !base.endsWith("s") && !base.endsWith("x") ? "s" : "");
}

export function words(text) {
  const cut = [...text].slice(0, MAX_QUERY_CHARS).join("").normalize("NFC");
  return (cut.match(TOKEN) || []).map((t) => fold(foldInclusive(t)));
}

const length = (s) => [...s].length;

export function editDistance(a, b, limit) {
  a = [...a];
  b = [...b];
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous2 = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i, ...new Array(b.length).fill(0)];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, previous2[j - 2] + 1);
      current[j] = value;
      best = Math.min(best, value);
    }
    if (best > limit) return limit + 1;
    previous2 = previous;
    previous = current;
  }
  return previous[b.length];
}

function typoBudget(word) {
  const n = length(word);
  return n >= 9 ? 2 : n >= 5 ? 1 : 0;
}

function stemFallback(word, entries) {
  const terms = new Set(Object.values(entries).filter(([, df]) => df > 0).map(([t]) => t));
  const chars = [...word];
  for (let size = chars.length; size >= Math.max(STEM_MIN, chars.length - STEM_SUFFIX_MAX); size--) {
    const head = chars.slice(0, size).join("");
    if (terms.has(head)) return head;
  }
  return null;
}

function correct(word, entries) {
  const budget = typoBudget(word);
  if (!budget) return null;
  let best = null;
  for (const [candidate, [, df]] of Object.entries(entries)) {
    if (df <= 0 || Math.abs(length(candidate) - length(word)) > budget) continue;
    const distance = editDistance(word, candidate, budget);
    if (distance > budget) continue;
    const key = [distance, -df, candidate];
    if (best === null || key[0] < best[0] || (key[0] === best[0] && (key[1] < best[1] || (key[1] === best[1] && key[2] < best[2])))) best = key;
  }
  return best ? best[2] : null;
}

const alternativeKey = (a) => JSON.stringify([a.terms, a.tag, a.fuzzy]);

// lookup(word) -> [term, df] | null ; shard(letter) -> {word: [term, df]}
// The reader's words are the place name's own words (the last may be a prefix being typed):
// « garder » shares the index term of « Gard » but does not suggest the Gard (understanding.py: same_words).
function sameWords(said, surface) {
  const names = surface.split(" ");
  return names.length === said.length
    && said.every(([word, how], i) => names[i] === word || (how === "prefix" && names[i].startsWith(word)));
}

export function understand(text, data, lookup, shard) {
  const stop = new Set(data.stop);
  const questionWords = new Set(data.questionWords);
  const raw = words(text).filter((w) => length(w) > 1 && !stop.has(w) && length(w) <= MAX_WORD_CHARS);
  const tokens = [...new Set(raw)].slice(0, MAX_WORDS);
  const resolved = [];
  const corrections = [];
  tokens.forEach((word, position) => {
    const found = lookup(word);
    if (found) return resolved.push([word, found[0], "exact"]);
    const entries = shard([...word][0]);
    if (position === tokens.length - 1 && length(word) >= PREFIX_MIN) {
      const starts = Object.entries(entries).filter(([w, [, df]]) => w.startsWith(word) && df > 0)
        .map(([w, [t, df]]) => [df, w, t]).sort((x, y) => y[0] - x[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0));
      if (starts.length) {
        const terms = [...new Set(starts.map((s) => s[2]))].slice(0, PREFIX_EXPANSIONS);
        return resolved.push([word, terms.join("|"), "prefix"]);
      }
    }
    const fixed = correct(word, entries);
    if (fixed) {
      corrections.push([word, fixed]);
      return resolved.push([word, entries[fixed][0], "typo"]);
    }
    const stem = stemFallback(word, entries);
    if (stem) return resolved.push([word, stem, "stem"]);
    resolved.push([word, null, "unknown"]);
  });
  const fixedOf = new Map(corrections);
  const groups = [];
  const ignored = resolved.filter(([, term]) => term === null).map(([w]) => w);
  const known = resolved.filter(([, term]) => term !== null);
  let i = 0;
  while (i < known.length) {
    let matched = false;
    for (let size = Math.min(MAX_PHRASE, known.length - i); size > 0; size--) {
      const taken = known.slice(i, i + size);
      const key = taken.map(([, t]) => t).join(" ");
      const entry = data.phrases[key];
      if (entry && !(size === 1 && questionWords.has(known[i][0]))) {
        const fuzzy = taken.some(([, , how]) => how !== "exact");
        let alternatives = [{ terms: taken.map(([, t]) => t), tag: null, fuzzy }];
        alternatives = alternatives.concat(entry.alts.map((a) => ({ terms: a, tag: null, fuzzy })));
        alternatives = alternatives.concat(entry.tags.map((t) => ({ terms: [], tag: t, fuzzy })));
        const seen = new Set();
        alternatives = alternatives.filter((a) => !seen.has(alternativeKey(a)) && seen.add(alternativeKey(a)));
        const said = taken.map(([w, , how]) => [how === "typo" ? fixedOf.get(w) ?? w : w, how]);
        const places = entry.places.filter(([, , surface]) => sameWords(said, surface)).map(([f, v]) => [f, v]);
        groups.push({ text: taken.map(([w]) => w).join(" "), alternatives, targets: [...entry.tags, ...places] });
        i += size;
        matched = true;
        break;
      }
    }
    if (matched) continue;
    const [word, term, how] = known[i];
    i += 1;
    if (questionWords.has(word)) continue;
    groups.push({ text: word, alternatives: term.split("|").map((t) => ({ terms: [t], tag: null, fuzzy: how !== "exact" })), targets: [] });
  }
  return { groups, corrections, ignored };
}

// --- ensembles de documents : bits dans un Uint8Array (bit n = document n) ------------------
const POPCOUNT = new Uint8Array(256).map((_, i) => { let n = 0; for (let b = i; b; b >>= 1) n += b & 1; return n; });

export function count(bits) {
  let n = 0;
  for (const byte of bits) n += POPCOUNT[byte];
  return n;
}

function and(a, b) {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] & b[i];
  return out;
}

function or(a, b) {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] | b[i];
  return out;
}

const has = (bits, n) => (bits[n >> 3] >> (n & 7)) & 1;

function members(bits) {
  const out = [];
  for (let i = 0; i < bits.length; i++) {
    let byte = bits[i];
    while (byte) {
      const low = byte & -byte;
      out.push(i * 8 + 31 - Math.clz32(low));
      byte ^= low;
    }
  }
  return out;
}

function fromMembers(list, size) {
  const bits = new Uint8Array(size);
  for (const n of list) bits[n >> 3] |= 1 << (n & 7);
  return bits;
}

export function idf(frequency, documents) {
  return Math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5));
}

// --- fichiers de l'index ----------------------------------------------------------------------
function fnv1a(text) {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

export class SearchIndex {
  constructor(base) {
    this.base = base; // URL du dossier recherche-index/, finie par « / »
    this.files = new Map();
    this.shards = new Map();
    this.terms = new Map();
  }

  async json(path, compressed = true) {
    if (!this.files.has(path)) {
      this.files.set(path, (async () => {
        const response = await fetch(new URL(path, this.base));
        if (response.status === 404) return null;
        if (!response.ok) throw new Error(`${path} : ${response.status}`);
        if (!compressed) return response.json();
        const stream = response.body.pipeThrough(new DecompressionStream("gzip"));
        return new Response(stream).json();
      })());
    }
    return this.files.get(path);
  }

  async bytes(path) {
    if (!this.files.has(path)) {
      this.files.set(path, (async () => {
        const response = await fetch(new URL(path, this.base));
        if (!response.ok) throw new Error(`${path} : ${response.status}`);
        const stream = response.body.pipeThrough(new DecompressionStream("gzip"));
        return new Uint8Array(await new Response(stream).arrayBuffer());
      })());
    }
    return this.files.get(path);
  }

  async open() {
    if (!this.manifest) {
      this.manifest = await this.json("manifeste.json", false);
      this.size = Math.ceil(this.manifest.documents / 8);
    }
    return this.manifest;
  }

  async facetSets() {
    if (!this.sets) {
      const all = await this.bytes("facettes.bin.gz");
      const sets = {};
      let offset = 0;
      for (const facet of this.manifest.facettes) {
        sets[facet.cle] = {};
        for (const value of facet.valeurs) {
          sets[facet.cle][value] = all.subarray(offset, offset + this.size);
          offset += this.size;
        }
      }
      this.sets = sets;
    }
    return this.sets;
  }

  async loadShards(letters) {
    await Promise.all([...letters].map(async (letter) => {
      if (this.shards.has(letter)) return;
      const code = letter.codePointAt(0).toString(16);
      this.shards.set(letter, (await this.json(`lexique/${code}.json.gz`)) || {});
    }));
  }

  async loadTerms(terms) {
    const wanted = [...terms].filter((t) => !this.terms.has(t));
    const buckets = new Set(wanted.map((t) => fnv1a(t) % this.manifest.paquets));
    await Promise.all([...buckets].map(async (bucket) => {
      const content = (await this.json(`termes/${bucket.toString(16)}.json.gz`)) || {};
      for (const [term, [gaps, scores]] of Object.entries(content)) {
        const postings = new Map();
        let doc = 0;
        gaps.forEach((gap, i) => { doc += gap; postings.set(doc, scores[i] / 100); });
        this.terms.set(term, postings);
      }
    }));
    for (const term of wanted) if (!this.terms.has(term)) this.terms.set(term, new Map());
  }

  async records(numbers) {
    const chunk = this.manifest.paquet_fiches;
    const chunks = [...new Set(numbers.map((n) => Math.floor(n / chunk)))];
    const loaded = await Promise.all(chunks.map((c) => this.json(`fiches/${c.toString(16)}.json.gz`)));
    const byChunk = new Map(chunks.map((c, i) => [c, loaded[i]]));
    return numbers.map((n) => ({ ...byChunk.get(Math.floor(n / chunk))[n % chunk], num: n }));
  }

  async understand(text) {
    await this.open();
    const letters = new Set(words(text).filter((w) => w.length).map((w) => [...w][0]));
    const [data] = await Promise.all([this.json("requete.json.gz"), this.loadShards(letters)]);
    const shard = (letter) => this.shards.get(letter) || {};
    const lookup = (word) => shard([...word][0])[word] || null;
    return understand(text, data, lookup, shard);
  }

  // --- classement (engine.py : _group_scores, _rank) --------------------------------------------
  groupScores(group, sets) {
    const best = new Map();
    const documents = this.manifest.documents;
    for (const alternative of group.alternatives) {
      let scores;
      if (alternative.tag) {
        const [facet, value] = alternative.tag;
        const bits = (sets[facet] || {})[value];
        const docs = bits ? members(bits) : [];
        const weight = this.manifest.poids_etiquette * idf(docs.length, documents);
        scores = new Map(docs.map((d) => [d, weight]));
      } else {
        scores = this.alternative(alternative.terms);
      }
      const factor = alternative.fuzzy ? this.manifest.facteur_approche : 1.0;
      for (const [doc, raw] of scores) {
        const score = raw * factor;
        if (score > (best.get(doc) || 0)) best.set(doc, score);
      }
    }
    return best;
  }

  alternative(terms) {
    const vectors = terms.map((t) => this.terms.get(t) || new Map());
    if (!vectors.length) return new Map();
    const out = new Map();
    for (const [doc] of vectors[0]) {
      if (vectors.every((v) => v.has(doc))) out.set(doc, vectors.reduce((sum, v) => sum + v.get(doc), 0));
    }
    return out;
  }

  rank(groups, scope, sets) {
    const documents = this.manifest.documents;
    const perGroup = groups.map((g) => this.groupScores(g, sets)).filter((s) => s.size);
    const weights = perGroup.map((s) => idf(s.size, documents));
    const total = weights.reduce((a, b) => a + b, 0) || 1.0;
    const covered = new Map();
    const totals = new Map();
    const held = new Map();
    perGroup.forEach((scores, g) => {
      for (const [doc, score] of scores) {
        if (!has(scope, doc)) continue;
        covered.set(doc, (covered.get(doc) || 0) + weights[g]);
        totals.set(doc, (totals.get(doc) || 0) + score);
        held.set(doc, (held.get(doc) || 0) + 1);
      }
    });
    const keys = new Map();
    for (const [doc, weight] of covered) {
      keys.set(doc, [Math.round(totals.get(doc) * (weight / total) * 10000) / 10000, held.get(doc) === perGroup.length]);
    }
    return keys;
  }

  // --- recherche ----------------------------------------------------------------------------------
  // state : { q, filters: {facette: [valeurs]}, tri: "pertinence" | "recent" | "titre" }
  async search(state, { limit = 10, offset = 0, kind = "action" } = {}) {
    await this.open();
    const q = (state.q || "").trim();
    const filters = Object.fromEntries(Object.entries(state.filters || {}).filter(([, v]) => v && v.length));
    const understanding = q ? await this.understand(q) : null;
    const terms = new Set();
    for (const group of understanding ? understanding.groups : []) {
      for (const a of group.alternatives) a.terms.forEach((t) => terms.add(t));
    }
    const [sets] = await Promise.all([this.facetSets(), this.loadTerms(terms)]);
    const scope = sets.type[kind] || new Uint8Array(this.size);
    let keys = null;
    let match = scope;
    if (understanding) {
      keys = this.rank(understanding.groups, scope, sets);
      match = fromMembers(keys.keys(), this.size);
    }
    const { final, counts } = facetCounts(match, sets, filters, this.manifest.facettes);
    let ordered;
    const tri = state.tri || "pertinence";
    if (keys && tri === "pertinence") {
      ordered = [...keys.keys()].filter((d) => has(final, d))
        .sort((a, b) => keys.get(b)[0] - keys.get(a)[0] || a - b);
    } else if (tri === "titre") {
      ordered = members(final);
    } else {
      const byDate = await this.json("ordre-date.json.gz");
      ordered = byDate.filter((d) => has(final, d));
    }
    const complete = keys ? ordered.filter((d) => keys.get(d)[1]).length : ordered.length;
    const page = ordered.slice(offset, offset + limit);
    const hits = await this.records(page);
    const scores = keys ? ordered.map((d) => keys.get(d)[0]) : null; // relevance of each ordered document
    const result = { total: ordered.length, complete, hits, facets: counts, ordered, scores, understanding: understanding,
      corrections: understanding ? understanding.corrections : [], ignored: understanding ? understanding.ignored : [],
      suggestions: understanding ? suggestions(understanding.groups, final, sets, filters) : [] };
    return result;
  }

  async page(ordered, offset, limit) {
    return this.records(ordered.slice(offset, offset + limit));
  }
}

export function facetCounts(match, sets, filters, layout) {
  const allowed = {};
  for (const [facet, values] of Object.entries(filters)) {
    let union = new Uint8Array(match.length);
    for (const value of values) {
      const bits = (sets[facet] || {})[value];
      if (bits) union = or(union, bits);
    }
    allowed[facet] = union;
  }
  let final = match;
  for (const bits of Object.values(allowed)) final = and(final, bits);
  const counts = {};
  for (const { cle: facet } of layout) {
    if (facet === "type") continue;
    let base = match;
    for (const [other, bits] of Object.entries(allowed)) if (other !== facet) base = and(base, bits);
    const ticked = new Set(filters[facet] || []);
    counts[facet] = {};
    for (const [value, bits] of Object.entries(sets[facet])) {
      let n = 0;
      for (let i = 0; i < bits.length; i++) n += POPCOUNT[base[i] & bits[i]];
      if (n || ticked.has(value)) counts[facet][value] = n;
    }
  }
  return { final, counts };
}

function suggestions(groups, final, sets, filters) {
  const found = new Map();
  for (const group of groups) {
    for (const [facet, value] of group.targets) {
      const key = `${facet}\u0000${value}`;
      if ((filters[facet] || []).includes(value) || found.has(key)) continue;
      const bits = (sets[facet] || {})[value];
      if (!bits) continue;
      const n = count(and(final, bits));
      if (n) found.set(key, { facet, value, count: n });
    }
  }
  const rank = (facet) => (SUGGESTION_ORDER.includes(facet) ? SUGGESTION_ORDER.indexOf(facet) : SUGGESTION_ORDER.length);
  return [...found.values()].sort((a, b) => rank(a.facet) - rank(b.facet) || b.count - a.count).slice(0, MAX_SUGGESTIONS);
}
