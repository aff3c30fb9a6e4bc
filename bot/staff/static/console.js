// The alert banner on every page: refreshed every 2 seconds; a new alert is announced by sound.
(function () {
  var banner = document.getElementById("alerts-banner");
  if (!banner) return;
  var seen = null;
  function beep() {
    try {
      var ctx = new (window.AudioContext || window.webkitAudioContext)();
      var tone = ctx.createOscillator();
      tone.connect(ctx.destination); tone.frequency.value = 880; tone.start(); tone.stop(ctx.currentTime + 0.3);
    } catch (e) { /* no sound: the red banner is enough */ }
  }
  function refresh() {
    fetch(banner.dataset.src, {credentials: "same-origin", cache: "no-store"})
      .then(function (r) {
        // Logged out elsewhere or the session ended: reload, and the server shows the login page.
        if (r.status === 401) { window.location.reload(); return Promise.reject(r.status); }
        return r.ok && !r.redirected ? r.text() : Promise.reject(r.status);
      })
      .then(function (html) {
        banner.innerHTML = html;
        var ids = Array.prototype.map.call(banner.querySelectorAll("[data-alert-id]"), function (a) { return a.dataset.alertId; });
        if (seen !== null && ids.some(function (id) { return seen.indexOf(id) < 0; })) beep();
        seen = ids;
      })
      .catch(function () { /* keep the last banner; try again */ });
  }
  refresh();
  setInterval(refresh, 2000);
})();
