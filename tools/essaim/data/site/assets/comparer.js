// Essaim — comparer des fiches : bouton « Comparer » des pages de fiche et page /comparer/?ids=a,b,c.
// Le choix vit dans l'adresse de la page de comparaison (et, entre deux pages de fiche, dans le
// stockage local du navigateur) ; rien n'est envoyé à un serveur. Tout est écrit par textContent.
(function () {
  "use strict";
  var KEY = "essaim-comparer";
  var MAX = 4;
  var ID = /^[a-z0-9][a-z0-9-]*$/;

  function clean(ids) {
    var seen = [];
    (ids || []).forEach(function (id) {
      id = String(id).trim();
      if (ID.test(id) && seen.indexOf(id) < 0 && seen.length < MAX) seen.push(id);
    });
    return seen;
  }
  function stored() {
    try { return clean(JSON.parse(window.localStorage.getItem(KEY) || "[]")); } catch (e) { return []; }
  }
  function store(ids) {
    try { window.localStorage.setItem(KEY, JSON.stringify(ids)); } catch (e) { /* stockage refusé : l'adresse suffit */ }
  }
  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  // --- pages de fiche : le lien « Comparer » devient un bouton bascule -----------------------------
  function setupToggle(link) {
    var id = link.getAttribute("data-comparer");
    var base = link.getAttribute("href").split("?")[0];
    var button = el("button", "", "md-button essaim-comparer__bascule");
    button.type = "button";
    var status = el("span", "", "essaim-comparer__statut");
    status.setAttribute("role", "status");
    function refresh() {
      var ids = stored();
      var on = ids.indexOf(id) >= 0;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? "Retirer de la comparaison" : "Ajouter à la comparaison";
      link.textContent = "Voir la comparaison (" + ids.length + ")";
      link.href = base + (ids.length ? "?ids=" + ids.join(",") : "");
      link.hidden = ids.length === 0;
    }
    button.addEventListener("click", function () {
      var ids = stored();
      var at = ids.indexOf(id);
      if (at >= 0) {
        ids.splice(at, 1);
        status.textContent = "Fiche retirée de la comparaison.";
      } else if (ids.length >= MAX) {
        status.textContent = "Déjà " + MAX + " fiches choisies : retirez-en une dans la comparaison.";
        return;
      } else {
        ids.push(id);
        status.textContent = "Fiche ajoutée : " + ids.length + " à comparer.";
      }
      store(ids);
      refresh();
    });
    link.classList.remove("md-button");
    link.parentNode.insertBefore(button, link);
    link.parentNode.insertBefore(document.createTextNode(" "), link);
    link.parentNode.appendChild(status);
    refresh();
  }

  // --- page de comparaison ---------------------------------------------------------------------
  function plain(markdown) {
    return String(markdown || "")
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/(\*\*|__)(.*?)\1/g, "$2")
      .replace(/^[ \t]*[-*+][ \t]+/gm, "• ")
      .replace(/^#+\s*/gm, "")
      .replace(/([^\n])\n(?!\n|• )/g, "$1 ")  // a paragraph's soft line breaks
      .replace(/\n{3,}/g, "\n\n")
      .trim();
  }
  function joined(list, sep) { return list.filter(Boolean).join(sep || ", "); }

  function rows(settings) {
    function label(table, id) { return (settings[table] || {})[id] || id; }
    return [
      ["Porteur", function (a) { return a.porteur.nom + " (" + a.porteur.type_libelle + ")"; }],
      ["Lieu et territoire", function (a) {
        var t = a.territoire;
        var places = joined(t.communes.map(function (c) { return c.nom; })
          .concat(t.departements.map(function (d) { return d.nom; }), t.regions.map(function (r) { return r.nom; })), " · ");
        var profile = "échelle : " + label("echelles", t.echelle).toLowerCase() +
          (t.types.length ? " ; " + t.types.map(function (k) { return label("territoires", k); }).join(", ") : "");
        return joined([places, profile, t.precision], "\n");
      }],
      ["Période et statut", function (a) {
        var p = a.periode;
        var span = p.debut && p.fin ? p.debut + "–" + p.fin : p.debut ? "depuis " + p.debut : p.fin ? "jusqu'en " + p.fin : "dates non publiées";
        return span + " (" + label("statuts", a.statut).toLowerCase() + ")";
      }],
      ["Publics", function (a) { return joined(a.publics.map(function (p) { return p.libelle; })); }],
      ["Objectifs", function (a) { return plain(a.sections.objectives); }],
      ["Résultats", function (a) { return plain(a.sections.results); }],
      ["Moyens et financement", function (a) {
        var t = a.transfert || {};
        return joined([
          t.budget && "Budget : " + t.budget,
          t.moyens_humains && "Moyens humains : " + t.moyens_humains,
          t.delai && "Délai de mise en place : " + t.delai,
          t.prerequis && t.prerequis.length && "Prérequis : " + t.prerequis.join(" ; "),
          a.financement && "Financement : " + a.financement,
          a.partenaires.financiers.length && "Financeurs : " + a.partenaires.financiers.join(", ")
        ], "\n");
      }],
      ["Contact", function (a) {
        return joined(a.contacts.map(function (c) {
          return joined([c.nom, c.fonction, c.structure, c.email, c.telephone], " — ");
        }), "\n");
      }],
      ["Complétude", function (a) { return "Fiche " + label("niveaux", a.completude) + " ; mise à jour : " + a.mise_a_jour; }]
    ];
  }

  function setupPage(data) {
    var settings = JSON.parse(data.textContent);
    MAX = settings.max || MAX;
    var holder = document.getElementById("essaim-comparaison");
    var status = document.getElementById("essaim-comparer-statut");
    var form = document.getElementById("essaim-comparer-ajout");
    var input = document.getElementById("essaim-comparer-choix");
    var list = document.getElementById("essaim-comparer-liste");
    var byTitle = {};
    settings.fiches_choix.forEach(function (pair) {
      byTitle[pair[1]] = pair[0];
      var option = document.createElement("option");
      option.value = pair[1];
      list.appendChild(option);
    });
    var params = new URLSearchParams(window.location.search);
    var ids = params.has("ids") ? clean(params.get("ids").split(",")) : stored();
    var cache = {};

    function save() {
      store(ids);
      var url = new URL(window.location.href);
      if (ids.length) url.searchParams.set("ids", ids.join(",")); else url.searchParams.delete("ids");
      window.history.replaceState(null, "", url.pathname + url.search.replace(/%2C/gi, ",") + url.hash);
    }
    function load(id) {
      if (!cache[id]) {
        cache[id] = fetch(settings.api + id + ".json").then(function (answer) {
          if (!answer.ok) throw new Error(answer.status);
          return answer.json();
        });
      }
      return cache[id];
    }
    function full() {
      input.disabled = ids.length >= MAX;
      input.placeholder = ids.length >= MAX ? MAX + " fiches au plus" : "Titre de la fiche";
    }
    function render() {
      save();
      form.hidden = false;
      full();
      holder.textContent = "";
      if (!ids.length) {
        status.textContent = "Aucune fiche choisie. Ouvrez une fiche et utilisez son bouton « Comparer », ou ajoutez-en une ci-dessus.";
        return;
      }
      status.textContent = "Chargement…";
      Promise.all(ids.map(function (id) {
        return load(id).catch(function () { return null; });
      })).then(function (actions) {
        var missing = ids.filter(function (id, i) { return !actions[i]; });
        ids = ids.filter(function (id, i) { return actions[i]; });
        actions = actions.filter(Boolean);
        save();
        full();
        var table = el("table", "", "essaim-comparaison__table");
        table.appendChild(el("caption", "Comparaison de " + actions.length + (actions.length > 1 ? " fiches" : " fiche")));
        var head = el("tr");
        head.appendChild(el("td"));
        actions.forEach(function (a) {
          var th = el("th");
          th.scope = "col";
          var link = el("a", a.titre);
          link.href = settings.fiches + a.id + "/";
          th.appendChild(link);
          var remove = el("button", "Retirer", "essaim-comparaison__retirer");
          remove.type = "button";
          remove.setAttribute("aria-label", "Retirer « " + a.titre + " » de la comparaison");
          remove.addEventListener("click", function () {
            ids = ids.filter(function (id) { return id !== a.id; });
            render();
          });
          th.appendChild(remove);
          head.appendChild(th);
        });
        table.appendChild(el("thead")).appendChild(head);
        var body = el("tbody");
        rows(settings).forEach(function (row) {
          var tr = el("tr");
          var th = el("th", row[0]);
          th.scope = "row";
          tr.appendChild(th);
          actions.forEach(function (a) { tr.appendChild(el("td", row[1](a) || "non renseigné")); });
          body.appendChild(tr);
        });
        table.appendChild(body);
        table.style.setProperty("--essaim-colonnes", String(actions.length));
        holder.appendChild(table);
        status.textContent = actions.length + (actions.length > 1 ? " fiches comparées" : " fiche") +
          (missing.length ? " ; introuvable : " + missing.join(", ") : "") + ".";
      });
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var id = byTitle[input.value.trim()];
      if (!id) { status.textContent = "Choisissez une fiche dans la liste proposée."; return; }
      if (ids.indexOf(id) < 0 && ids.length < MAX) ids.push(id);
      input.value = "";
      render();
    });
    render();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("a[data-comparer]"), setupToggle);
    var data = document.getElementById("essaim-comparer-data");
    if (data && document.getElementById("essaim-comparaison")) setupPage(data);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
