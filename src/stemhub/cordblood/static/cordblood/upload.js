// Upload page: count the rows of the chosen file in the browser, so the progress region can
// say "Importing N rows" while the server validates and applies them in one request. The words
// come from the page (data-one, data-many, data-note, data-unknown), in the page's language.
(function () {
  "use strict";
  var input = document.getElementById("id_file");
  var note = document.getElementById("upload-count");
  var rows = document.getElementById("upload-rows");
  if (!input || !note || !rows) { return; }
  var words = note.dataset;
  var language = document.documentElement.lang || "en";
  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    note.textContent = "";
    rows.textContent = words.unknown;
    if (!file) { return; }
    file.text().then(function (text) {
      var count;
      if (/^\s*[\[{]/.test(text)) {
        count = (text.match(/"local_id"\s*:/g) || []).length;
      } else {
        count = text.split(/\r?\n/).filter(function (line) { return line.trim() !== ""; }).length - 1;
      }
      count = Math.max(count, 0);
      var label = (count === 1 ? words.one : words.many).replace("{n}", count.toLocaleString(language));
      note.textContent = words.note.replace("{name}", file.name).replace("{rows}", label);
      note.dataset.rows = String(count);
      rows.textContent = label;
    });
  });
}());
