// Renders every Vega-Lite chart on the page from local files. Each chart is a
// <figure> holding <div data-chart="ID"> and <script type="application/json" id="ID">
// with the spec; the data table beside it carries the same figures for screen readers
// and for anyone without JavaScript.
(function () {
  "use strict";
  function render() {
    if (typeof window.vegaEmbed !== "function") {
      return;
    }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) {
        return;
      }
      var spec = JSON.parse(source.textContent);
      // Drawn left to right on every page, Arabic included (see statistics/charts.py): inside a
      // right-to-left element the browser flips Vega's text anchors, and labels overlap.
      el.setAttribute("dir", "ltr");
      window
        .vegaEmbed(el, spec, {
          actions: false,
          renderer: "svg",
          ast: true,
          expr: window.vegaExpressionInterpreter,
          defaultStyle: false,
          // The tooltip's styles live in samverkan.css: an injected <style> would break the CSP.
          tooltip: { disableDefaultStyle: true },
        })
        .then(function () {
          // The container is the image (role="img" with a translated label) and the table beside
          // it holds the figures: Vega's SVG is hidden from assistive technology.
          el.querySelectorAll("svg").forEach(function (svg) {
            svg.setAttribute("aria-hidden", "true");
          });
          el.setAttribute("data-chart-rendered", "true");
        })
        .catch(function (error) {
          el.setAttribute("data-chart-error", String(error));
        });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render();
  }
})();
