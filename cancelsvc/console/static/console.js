/* The console works without JavaScript; this only keeps a double-click from sending a form
   twice (the server would answer the second one with the first one's result anyway). */
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.dataset.sent) { event.preventDefault(); return; }
  form.dataset.sent = "1";
}, true);
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-sent]").forEach(function (form) { delete form.dataset.sent; });
});
