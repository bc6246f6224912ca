/* Resident pages: progressive enhancement only; every page works without it.
 *
 * 1. After a failed submit, move the focus to the first field with an error
 *    (the server also marks it `autofocus` for browsers without scripts).
 * 2. "Read it to me": read the page's main text aloud with the browser's own
 *    speech (speechSynthesis); the button stays hidden where there is none.
 */
(function () {
  "use strict";

  function focusFirstError() {
    var field = document.querySelector("main [aria-invalid=true]");
    if (field) {
      field.focus();
      field.scrollIntoView({ block: "center" });
    }
  }

  function mainText() {
    var main = document.querySelector("main");
    var parts = [];
    main.querySelectorAll("h1, h2, h3, p, li, dt, dd, legend, label").forEach(function (el) {
      if (el.closest("[hidden], [data-speak]")) return;
      if (el.parentElement.closest("p, li, dd, label")) return;  // read once
      var text = (el.innerText || "").trim();
      if (text) parts.push(text);
    });
    return parts.join("。\n");
  }

  function setUpReading() {
    var button = document.querySelector("[data-speak]");
    if (!button || !("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") {
      return;
    }
    var speech = window.speechSynthesis;
    var readLabel = button.textContent;
    var stopLabel = button.getAttribute("data-stop-label");
    function reset() { button.textContent = readLabel; }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (speech.speaking) {
        speech.cancel();
        reset();
        return;
      }
      var utterance = new SpeechSynthesisUtterance(mainText());
      utterance.lang = document.documentElement.lang === "en" ? "en" : "zh-CN";
      utterance.rate = 0.9;
      utterance.onend = reset;
      utterance.onerror = reset;
      button.textContent = stopLabel;
      speech.speak(utterance);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusFirstError();
    setUpReading();
  });
})();
