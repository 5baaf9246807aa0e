// Keyboard-first review: Enter saves (the form's own submit), Esc skips, F2 accepts as is,
// F3 takes the suggestion offered beside the focused field (else the first one offered),
// F4 marks the focused field illegible, F8 rejects the row; +/- zoom the scan crop.
(function () {
  "use strict";
  function onRecordPage() { return document.getElementById("record-form"); }

  function markIllegible(input) {
    var field = input.closest(".field");
    if (!field) { return; }
    var flag = field.querySelector(".illegible-flag");
    var on = flag.value !== "1";
    flag.value = on ? "1" : "0";
    field.classList.toggle("illegible", on);
    input.readOnly = on;
  }

  function takeSuggestion(button) {
    var input = document.getElementById(button.dataset.for);
    if (!input || input.readOnly) { return; }
    input.value = button.dataset.value;
    input.dispatchEvent(new Event("input", { bubbles: true }));  // checked as if typed
    input.focus();
  }

  function suggestionFor(element) {
    var field = element && element.closest ? element.closest(".field") : null;
    var own = field ? field.querySelector(".take-suggestion") : null;
    return own || document.querySelector(".take-suggestion");
  }

  function zoom(factor) {
    var crop = document.getElementById("crop");
    if (!crop) { return; }
    var width = Math.max(400, Math.min(3000, Math.round(parseInt(crop.dataset.width, 10) * factor)));
    crop.dataset.width = String(width);
    crop.src = crop.src.replace(/width=\d+/, "width=" + width);
    crop.style.width = (width / 1600 * 100) + "%";
  }

  // Keyed entry (a handwritten record): Enter moves on, taking the field's proposal when it is
  // empty; the family name is proposed from the father's (or his from the child's), the
  // declarant from a parent, the date in words from the date typed in figures.
  function proposalOf(input) {
    var key = input.name;
    var value = function (name) { var other = document.getElementById("f-" + name); return other ? other.value.trim() : ""; };
    var family = function (name) { var words = value(name).split(/\s+/); return words[0] ? words[0] + " " : ""; };
    if (key === "full_name" && !input.dataset.proposal) { return family("father_name"); }
    if (key === "father_name" && !input.dataset.proposal) { return family("full_name"); }
    if (key === "declarant_name") { return value("father_name") || value("mother_name"); }
    if (key === "birth_date_in_words") {
      var words = document.querySelector("#verdict-birth_date [data-words]");
      return words ? words.dataset.words : "";
    }
    return input.dataset.proposal || "";
  }

  function keyedEnter(form, input, event) {
    event.preventDefault();
    if (event.ctrlKey) { form.requestSubmit(); return; }
    var proposal = proposalOf(input);
    if (!input.value && proposal) {
      input.value = proposal;
      input.dispatchEvent(new Event("input", { bubbles: true }));  // checked as if typed
      if (proposal.endsWith(" ")) { return; }  // a family name: the rest is typed after it
    }
    var inputs = Array.prototype.slice.call(form.querySelectorAll("input:not([type=hidden]):not([readonly])"));
    var next = inputs[inputs.indexOf(input) + 1];
    if (next) { next.focus(); next.select(); } else { form.requestSubmit(); }
  }

  document.addEventListener("focusin", function (event) {
    var input = event.target;
    var form = onRecordPage();
    if (!form || !form.dataset.keyed || input.tagName !== "INPUT" || input.type === "hidden") { return; }
    var proposal = proposalOf(input);
    if (proposal) { input.placeholder = proposal.trim(); }
  });

  document.addEventListener("keydown", function (event) {
    var form = onRecordPage();
    if (!form) { return; }
    if (event.key === "Enter" && form.dataset.keyed && document.activeElement && document.activeElement.tagName === "INPUT"
        && document.activeElement.form === form) {
      keyedEnter(form, document.activeElement, event);
      return;
    }
    var typing = document.activeElement && document.activeElement.tagName === "INPUT" && !event.altKey;
    if (!typing && (event.key === "+" || event.key === "=" || event.key === "-" || event.key === "–")) {
      event.preventDefault();  // + and - zoom the scan (with Alt while typing in a field)
      zoom(event.key === "-" || event.key === "–" ? 0.8 : 1.25);
    } else if (event.key === "Escape") {
      event.preventDefault();
      document.getElementById("skip-form").submit();
    } else if (event.key === "F2") {
      event.preventDefault();
      form.reset();  // the values as loaded: accept the row as it is
      form.requestSubmit();
    } else if (event.key === "F3") {
      event.preventDefault();
      var offered = suggestionFor(document.activeElement);
      if (offered && !offered.disabled) { takeSuggestion(offered); }
    } else if (event.key === "F4") {
      event.preventDefault();
      if (document.activeElement && document.activeElement.tagName === "INPUT") {
        markIllegible(document.activeElement);
      }
    } else if (event.key === "F8") {
      event.preventDefault();
      var reason = window.prompt("Lý do loại bản ghi (dòng trống, bị gạch bỏ…):", "không phải bản ghi");
      if (reason !== null) {
        document.getElementById("action").value = "reject";
        document.getElementById("reject-reason").value = reason;
        form.requestSubmit();
      }
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var zoomIn = document.getElementById("zoom-in");
    var zoomOut = document.getElementById("zoom-out");
    if (zoomIn) { zoomIn.addEventListener("click", function () { zoom(1.25); }); }
    if (zoomOut) { zoomOut.addEventListener("click", function () { zoom(0.8); }); }
    document.querySelectorAll(".take-suggestion").forEach(function (button) {
      button.addEventListener("click", function () { takeSuggestion(button); });
    });
    var form = onRecordPage();
    if (form) {
      // The field to look at first (least sure, or flagged); its text selected so typing replaces it.
      var first = form.querySelector("input[autofocus]") || form.querySelector("input:not([type=hidden])");
      if (first) { first.focus(); first.select(); }
    }
  });
})();
