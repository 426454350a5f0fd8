// Essaim — courriels et téléphones des contacts : ni l'adresse ni le numéro (sauf standard public) ne sont
// dans le HTML en clair ; ils sont reconstitués à la demande (bouton, ou impression de la page). Sans
// JavaScript, le courriel reste « nom [arobase] domaine » et le téléphone n'est pas affiché.
(function () {
  var KINDS = [
    {selector: ".essaim-courriel[data-courriel]", attribute: "data-courriel", scheme: "mailto:",
     linkClass: "essaim-courriel__lien", label: "Afficher le courriel"},
    {selector: ".essaim-tel[data-tel]", attribute: "data-tel", scheme: "tel:",
     linkClass: "essaim-tel__lien", label: "Afficher le téléphone"}
  ];
  function decode(value) {
    try {
      var bytes = atob(value);
      var text = decodeURIComponent(Array.prototype.map.call(bytes, function (c) {
        return "%" + ("00" + c.charCodeAt(0).toString(16)).slice(-2);
      }).join(""));
      return text.split("").reverse().join("");
    } catch (e) {
      return null;
    }
  }
  function target(kind, text) {
    return kind.scheme === "tel:" ? "tel:" + text.replace(/[^0-9+]/g, "") : kind.scheme + text;
  }
  function reveal(holder, kind, focus) {
    var text = decode(holder.getAttribute(kind.attribute));
    if (!text) return;
    var link = document.createElement("a");
    link.href = target(kind, text);
    link.textContent = text;
    link.className = kind.linkClass;
    holder.replaceChildren(link);
    if (focus) link.focus();
  }
  function setup() {
    KINDS.forEach(function (kind) {
      var holders = document.querySelectorAll(kind.selector);
      Array.prototype.forEach.call(holders, function (holder) {
        if (holder.querySelector("button")) return;
        var who = holder.getAttribute("data-nom");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "essaim-courriel__bouton";
        button.textContent = kind.label;
        if (who) button.setAttribute("aria-label", kind.label + " de " + who);
        button.addEventListener("click", function () { reveal(holder, kind, true); });
        holder.replaceChildren(button);
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
  // Sur papier, pas de bouton : la personne qui imprime la fiche en obtient les contacts publiés.
  window.addEventListener("beforeprint", function () {
    KINDS.forEach(function (kind) {
      Array.prototype.forEach.call(document.querySelectorAll(kind.selector), function (holder) {
        if (holder.querySelector("button")) reveal(holder, kind, false);
      });
    });
  });
})();
