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

  // Completion while keying, offered under the field and never in place of what is typed:
  // a value of the same kind typed on this page already (the declarant is often a parent, the
  // wife's home town often the husband's), a value this book already holds for the field, or a
  // comma part of one (", Quận Thanh Khê, Thành phố Đà Nẵng"), a fixed list (the 54 ethnic
  // groups, Nam/Nữ); in a name, the word being typed from the name lexicon (a name's first word
  // from the family names, the others from given-name syllables). → takes what every value the
  // text may be the start of has next (all of it when only one fits; a name's likeliest word),
  // End takes the likeliest value whole.
  var words = null;
  function keyingWords() {
    if (words === null) {
      var data = document.getElementById("keying-words");
      words = data ? JSON.parse(data.textContent) : {};
    }
    return words;
  }

  function startsLike(candidate, typed) {
    // typed is how candidate begins: marks as far as typed (NFD), a plain d may become đ
    var whole = candidate.normalize("NFD").toLowerCase(), part = typed.normalize("NFD").toLowerCase();
    if (part.length >= whole.length) { return false; }
    for (var i = 0; i < part.length; i++) {
      if (part[i] !== whole[i] && !(part[i] === "d" && whole[i] === "đ")) { return false; }
    }
    return true;
  }

  function typedHere(input) {
    var same = input.form.querySelectorAll("input[data-type='" + input.dataset.type + "']");
    return Array.prototype.filter.call(same, function (other) { return other !== input && other.value.trim(); })
      .map(function (other) { return other.value.trim(); });
  }

  function unique(list) {
    return list.filter(function (value, index) { return list.indexOf(value) === index; });
  }

  // The values ``text`` may be the start of, most likely first; ``lexicon`` when a name's word
  // comes from the name lexicon (only the likeliest spelling of it is offered).
  function matchesOf(input, text) {
    var known = keyingWords(), type = input.dataset.type, here = typedHere(input);
    var begins = function (candidate) { return startsLike(candidate, text); };
    if (type === "name") {
      var names = here.filter(begins);
      if (names.length) { return { values: names, lexicon: false }; }
      var at = text.lastIndexOf(" ") + 1, word = text.slice(at);
      if (!word) { return null; }
      var list = at === 0 || !text.slice(0, at).trim() ? known.family : known.given;
      var syllable = (list || []).find(function (candidate) { return startsLike(candidate, word); });
      return syllable ? { values: [text.slice(0, at) + syllable.normalize("NFC") + " "], lexicon: true } : null;
    }
    var options = Array.prototype.map.call(input.list ? input.list.options : [], function (option) { return option.value; });
    var offered = unique(here.concat(options, known[type] || []).map(function (value) { return value.normalize("NFC"); }));
    var wholes = offered.filter(begins);
    if (wholes.length) { return { values: wholes, lexicon: false }; }
    var cut = text.lastIndexOf(", "), tail = cut < 0 ? "" : text.slice(cut + 2);
    if (!tail) { return null; }
    var rests = [];
    offered.forEach(function (value) {  // a comma part of a known value, and what follows it
      var parts = value.split(", ");
      for (var j = 1; j < parts.length; j++) {
        var rest = parts.slice(j).join(", ");
        if (startsLike(rest, tail)) { rests.push(text.slice(0, cut + 2) + rest); }
      }
    });
    return rests.length ? { values: unique(rests), lexicon: false } : null;
  }

  function commonStart(values) {
    var first = values[0], length = first.length;
    values.forEach(function (value) {
      var i = 0;
      while (i < length && i < value.length && value[i] === first[i]) { i++; }
      length = i;
    });
    return first.slice(0, length);
  }

  function completionOf(input) {
    // whole: the likeliest value (End takes it); part: what every value it may be has next (→)
    var text = input.value;
    if (!text.trim() || input.selectionStart !== text.length) { return null; }
    var found = matchesOf(input, text);
    if (!found) { return null; }
    var whole = found.values[0];
    var part = found.lexicon || found.values.length === 1 ? whole : commonStart(found.values);
    if (part.length <= text.length) { part = ""; }
    return { whole: whole, part: part };
  }

  function showCompletion(input) {
    var shown = document.getElementById("completion-" + input.name);
    if (!shown) { return; }
    var completion = completionOf(input);
    shown.textContent = !completion ? "" : completion.part && completion.part !== completion.whole
      ? "→ " + completion.part.trim() + "… · End: " + completion.whole.trim()
      : (completion.part ? "→ " : "End: ") + completion.whole.trim();
    shown.dataset.value = completion ? completion.whole : "";
    shown.dataset.part = completion ? completion.part : "";
  }

  document.addEventListener("input", function (event) {
    var form = onRecordPage();
    if (form && form.dataset.keyed && event.target.tagName === "INPUT") { showCompletion(event.target); }
  });

  function takeCompletion(input, event, all) {
    var shown = document.getElementById("completion-" + input.name);
    var taken = all ? shown && shown.dataset.value : shown && shown.dataset.part;
    if (!taken || input.selectionStart !== input.value.length) { return; }
    event.preventDefault();
    input.value = taken;
    input.setSelectionRange(input.value.length, input.value.length);
    input.dispatchEvent(new Event("input", { bubbles: true }));  // checked as if typed
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
    if ((event.key === "ArrowRight" || event.key === "End") && form.dataset.keyed && document.activeElement
        && document.activeElement.tagName === "INPUT" && document.activeElement.form === form) {
      takeCompletion(document.activeElement, event, event.key === "End");
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
