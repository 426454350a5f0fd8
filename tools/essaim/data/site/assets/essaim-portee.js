// Stockage local du thème (mkdocs-material, partials/javascripts/base.html), sorti de la page pour que la
// politique de sécurité du contenu interdise tout script en ligne. La portée est la racine du site,
// déduite de l'adresse de ce fichier (assets/essaim-portee.js).
__md_scope=new URL("..",document.currentScript.src),__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.charCodeAt(0)),0),__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem(t.pathname+"."+e)),__md_set=(e,_,t=localStorage,a=__md_scope)=>{try{t.setItem(a.pathname+"."+e,JSON.stringify(_))}catch(e){}};
