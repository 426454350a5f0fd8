// Essaim — courriels des contacts : l'adresse n'est pas dans le HTML en clair ;
// elle est reconstituée à la demande (bouton, ou impression de la page), sans JavaScript le texte reste
// « nom [arobase] domaine ».
(function () {
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
  function reveal(holder, focus) {
    var address = decode(holder.getAttribute("data-courriel"));
    if (!address) return;
    var link = document.createElement("a");
    link.href = "mailto:" + address;
    link.textContent = address;
    link.className = "essaim-courriel__lien";
    holder.replaceChildren(link);
    if (focus) link.focus();
  }
  function setup() {
    var holders = document.querySelectorAll(".essaim-courriel[data-courriel]");
    Array.prototype.forEach.call(holders, function (holder) {
      if (holder.querySelector("button")) return;
      var who = holder.getAttribute("data-nom");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "essaim-courriel__bouton";
      button.textContent = "Afficher le courriel";
      if (who) button.setAttribute("aria-label", "Afficher le courriel de " + who);
      button.addEventListener("click", function () { reveal(holder, true); });
      holder.replaceChildren(button);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
  // Sur papier, pas de bouton : la personne qui imprime la fiche en obtient les courriels publiés.
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".essaim-courriel[data-courriel]"), function (holder) {
      if (holder.querySelector("button")) reveal(holder, false);
    });
  });
})();
