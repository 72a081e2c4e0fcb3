/* The tracking page is complete without this script. It asks progress.json, with the
   page's ETag in If-None-Match, every poll_after_seconds and reloads the page only when
   the ETag changed (a 304 means nothing happened). */
(function () {
  var root = document.getElementById("tracking");
  if (!root || !window.fetch) { return; }
  var note = document.getElementById("refresh");  // only while the request can still move
  if (note) { note.hidden = false; }
  var url = root.dataset.progress, etag = '"' + root.dataset.etag + '"';
  var every = Math.max(parseInt(root.dataset.poll, 10) || 300, 30) * 1000;
  function poll() {
    fetch(url, { headers: { "If-None-Match": etag }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        var tag = response.headers.get("ETag");
        if (response.status === 200 && tag && tag !== etag) { window.location.reload(); return; }
        window.setTimeout(poll, every);
      })
      .catch(function () { window.setTimeout(poll, every); });
  }
  window.setTimeout(poll, every);
}());
