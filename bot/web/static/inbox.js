// New messages appear at the top of the inbox as they arrive, and a screen reader hears
// one short note. Without scripts, the refresh link on the page does the same.
(function () {
  var list = document.getElementById("inbox");
  var note = document.getElementById("live-note");
  var script = document.currentScript;
  if (!list || !window.EventSource) return;
  var source = new EventSource(list.getAttribute("data-events"));
  source.addEventListener("message", function (event) {
    var holder = document.createElement("ul");
    holder.innerHTML = JSON.parse(event.data);
    var line = holder.firstElementChild;
    if (!line || document.getElementById(line.id)) return;
    list.insertBefore(line, list.firstChild);
    var empty = document.getElementById("inbox-empty");
    if (empty) empty.remove();
    if (note) note.textContent = script.getAttribute("data-arrived");
  });
})();
