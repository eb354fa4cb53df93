// Type-ahead for catalogue search boxes (<div class="typeahead"> around an <input name="q">).
// An ARIA 1.2 combobox: arrows move through suggestions, Enter picks one, Escape closes.
// Picking a line opens its page; picking a disease or gene searches the catalogue for it.
// Without this script the box is a plain search field of a GET form.
(function () {
  "use strict";

  const FACET_OF_KIND = { disease: "disease", gene: "gene" };
  // The words come from the box's data-label-* attributes, in the page's language.
  const KIND_LABEL = { line: "Line", disease: "Disease", gene: "Gene" };

  function lineUrl(base, name) {
    // Names may hold "/" (the page's path accepts it) and spaces.
    return base + name.split("/").map(encodeURIComponent).join("/") + "/";
  }

  function setUp(box, index) {
    const input = box.querySelector("input[name='q']");
    if (!input) return;
    const suggestUrl = box.dataset.suggestUrl;
    const linesUrl = box.dataset.linesUrl;
    const words = box.dataset;
    const kindLabel = {
      line: words.labelLine || KIND_LABEL.line,
      disease: words.labelDisease || KIND_LABEL.disease,
      gene: words.labelGene || KIND_LABEL.gene,
    };
    const list = document.createElement("ul");
    list.id = input.id + "-suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", words.labelSuggestions || "Suggestions");
    list.hidden = true;
    box.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    let items = [];
    let active = -1;
    let timer = null;
    let latest = 0;

    function close() {
      list.hidden = true;
      list.replaceChildren();
      items = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(position) {
      const options = list.querySelectorAll("[role='option']");
      options.forEach((option, i) => option.setAttribute("aria-selected", String(i === position)));
      active = position;
      if (position >= 0) {
        input.setAttribute("aria-activedescendant", options[position].id);
        options[position].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function pick(item) {
      if (item.kind === "line") {
        window.location.assign(lineUrl(linesUrl, item.value));
      } else {
        const params = new URLSearchParams();
        params.set(FACET_OF_KIND[item.kind] || "q", item.value);
        window.location.assign(linesUrl + "?" + params.toString());
      }
    }

    function show(found) {
      close();
      items = found;
      if (!items.length) return;
      items.forEach((item, i) => {
        const option = document.createElement("li");
        option.id = `${list.id}-${index}-${i}`;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        const label = document.createElement("span");
        label.textContent = item.label;
        const kind = document.createElement("span");
        kind.className = "kind";
        kind.textContent = kindLabel[item.kind] || item.kind;
        option.append(label, kind);
        // mousedown, not click: it comes before the input's blur closes the list.
        option.addEventListener("mousedown", (event) => {
          event.preventDefault();
          pick(item);
        });
        list.appendChild(option);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    async function fetchSuggestions() {
      const text = input.value.trim();
      const ticket = ++latest;
      if (text.length < 2) {
        close();
        return;
      }
      try {
        const response = await fetch(`${suggestUrl}?q=${encodeURIComponent(text)}`, {
          headers: { Accept: "application/json" },
        });
        if (!response.ok || ticket !== latest) return;
        const found = await response.json();
        if (ticket === latest && document.activeElement === input) show(found);
      } catch (error) {
        close(); // the plain form still works
      }
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, 150);
    });
    input.addEventListener("keydown", (event) => {
      if (list.hidden) {
        if (event.key === "ArrowDown" && input.value.trim().length >= 2) fetchSuggestions();
        return;
      }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight((active + 1) % items.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        pick(items[active]);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
  }

  function init() {
    document.querySelectorAll(".typeahead").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
