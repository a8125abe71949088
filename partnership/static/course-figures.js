/* Draw the course's plotly figures, loading plotly.js (one shared local file) only when a figure comes near the
   screen, so text above the first figure shows without waiting for 4.6 MB of JavaScript. Each figure is a
   <div class="course-plotly"> followed by <script type="application/json" id="<div id>-spec">. */
(function () {
  "use strict";
  var plotlyUrl = document.currentScript.src.replace(/course-figures\.js(\?.*)?$/, "plotly.min.js");
  var loading = null;

  function loadPlotly() {
    if (window.Plotly) { return Promise.resolve(window.Plotly); }
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = plotlyUrl;
        script.onload = function () { resolve(window.Plotly); };
        script.onerror = function () { reject(new Error("could not load " + plotlyUrl)); };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function draw(element) {
    if (element.dataset.drawn) { return; }
    element.dataset.drawn = "pending";
    var spec = JSON.parse(document.getElementById(element.id + "-spec").textContent);
    loadPlotly().then(function (Plotly) {
      return Plotly.newPlot(element, spec.data, spec.layout, {responsive: true, displaylogo: false, typesetMath: false});
    }).then(function () {
      element.dataset.drawn = "yes";
    }).catch(function (error) {
      element.dataset.drawn = "failed";
      element.textContent = "This figure could not be drawn (" + error.message + "). Its data table is below.";
    });
  }

  function start() {
    var figures = Array.prototype.slice.call(document.querySelectorAll(".course-plotly"));
    if (!("IntersectionObserver" in window)) { figures.forEach(draw); return; }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { observer.unobserve(entry.target); draw(entry.target); }
      });
    }, {rootMargin: "400px 0px"});
    figures.forEach(function (figure) { observer.observe(figure); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
