// Upload page: count the rows of the chosen file in the browser, so the progress region can
// say "Importing N rows" while the server validates and applies them in one request.
(function () {
  "use strict";
  var input = document.getElementById("id_file");
  var note = document.getElementById("upload-count");
  var rows = document.getElementById("upload-rows");
  if (!input || !note || !rows) { return; }
  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    note.textContent = "";
    rows.textContent = "the file's rows";
    if (!file) { return; }
    file.text().then(function (text) {
      var count;
      if (/^\s*[\[{]/.test(text)) {
        count = (text.match(/"local_id"\s*:/g) || []).length;
      } else {
        count = text.split(/\r?\n/).filter(function (line) { return line.trim() !== ""; }).length - 1;
      }
      count = Math.max(count, 0);
      var label = count.toLocaleString("en") + " row" + (count === 1 ? "" : "s");
      note.textContent = file.name + ": " + label + ".";
      note.dataset.rows = String(count);
      rows.textContent = label;
    });
  });
}());
