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
      addKeyboardControls(element, spec.layout);
      element.dataset.drawn = "yes";
    }).catch(function (error) {
      element.dataset.drawn = "failed";
      element.textContent = "This figure could not be drawn (" + error.message + "). Its data table is below.";
    });
  }

  /* plotly's own dropdowns and sliders are drawn in SVG and cannot be reached with the keyboard or a screen
     reader. Mirror each as a native <select> or range input above the figure (same commands, via Plotly's
     API), and hide the SVG versions so the two never disagree. */
  function run(element, method, args) {
    var call = window.Plotly[method];
    if (typeof call === "function") { return call.apply(null, [element].concat(args || [])); }
  }

  function addKeyboardControls(element, layout) {
    var menus = (layout.updatemenus || []), sliders = (layout.sliders || []);
    if (!menus.length && !sliders.length) { return; }
    var panel = document.createElement("div");
    panel.className = "course-controls";
    panel.setAttribute("role", "group");
    panel.setAttribute("aria-label", "Controls for the figure: " + (element.getAttribute("aria-label") || ""));
    var hide = {};
    menus.forEach(function (menu, m) {
      var label = document.createElement("label");
      var select = document.createElement("select");
      label.textContent = (menu.name || "Show") + " ";
      (menu.buttons || []).forEach(function (button, b) {
        var option = document.createElement("option");
        option.value = b;
        option.textContent = button.label || ("Option " + (b + 1));
        if (b === (menu.active || 0)) { option.selected = true; }
        select.appendChild(option);
      });
      select.addEventListener("change", function () {
        var button = menu.buttons[+select.value];
        run(element, button.method, button.args);
      });
      label.appendChild(select);
      panel.appendChild(label);
      hide["updatemenus[" + m + "].visible"] = false;
    });
    sliders.forEach(function (slider, k) {
      var steps = slider.steps || [];
      var label = document.createElement("label");
      var input = document.createElement("input");
      var output = document.createElement("output");
      var prefix = (slider.currentvalue && slider.currentvalue.prefix) || "";
      label.textContent = (slider.name || prefix || "Value").replace(/[:\s]+$/, "") + " ";
      input.type = "range"; input.min = 0; input.max = Math.max(steps.length - 1, 0); input.step = 1;
      input.value = slider.active || 0;
      function describe() {
        var step = steps[+input.value] || {};
        output.textContent = step.label || "";
        input.setAttribute("aria-valuetext", step.label || String(input.value));
      }
      input.addEventListener("input", function () {
        var step = steps[+input.value];
        describe();
        if (step && step.method !== "skip") { run(element, step.method, step.args); }
      });
      describe();
      label.appendChild(input);
      label.appendChild(output);
      panel.appendChild(label);
      hide["sliders[" + k + "].visible"] = false;
    });
    element.parentNode.insertBefore(panel, element);
    window.Plotly.relayout(element, hide);
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
