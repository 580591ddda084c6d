// ID-porten's logout page: once every service's front-channel logout frame has
// loaded (or after a few seconds at most), continue to where the service asked.
(function () {
  const page = document.querySelector("[data-logout-destination]");
  if (!page) return;
  const destination = page.getAttribute("data-logout-destination");
  const frames = Array.from(document.querySelectorAll("iframe.idporten-logout-frame"));
  let waiting = frames.length;
  let done = false;
  function go() {
    if (!done) {
      done = true;
      window.location.replace(destination);
    }
  }
  frames.forEach(function (frame) {
    frame.addEventListener("load", function () {
      waiting -= 1;
      if (waiting === 0) go();
    });
  });
  window.setTimeout(go, 5000);
})();
