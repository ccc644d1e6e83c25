// Typeset the formulas that pymdownx.arithmatex (generic mode) left as \( ... \) and \[ ... \],
// with the KaTeX bundled in assets/vendor/katex (no internet needed).
(function () {
  function typeset(root) {
    root.querySelectorAll(".arithmatex").forEach(function (el) {
      if (el.querySelector(".katex")) return;
      var tex = el.textContent.trim();
      var display = tex.startsWith("\\[");
      tex = tex.replace(/^\\[([]/, "").replace(/\\[)\]]$/, "");
      katex.render(tex, el, { displayMode: display, throwOnError: false });
    });
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(function () { typeset(document.body); });
  } else {
    document.addEventListener("DOMContentLoaded", function () { typeset(document.body); });
  }
})();
