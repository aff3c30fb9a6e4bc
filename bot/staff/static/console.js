// The alert banner on every page: refreshed every 2 seconds; a new alert is announced by sound, and
// again, longer, each time the escalation ladder climbs (an alert nobody has acknowledged).
(function () {
  var banner = document.getElementById("alerts-banner");
  if (!banner) return;
  var seen = null;
  function beep(times) {
    try {
      var ctx = new (window.AudioContext || window.webkitAudioContext)();
      for (var i = 0; i < (times || 1); i++) {
        var tone = ctx.createOscillator();
        tone.connect(ctx.destination); tone.frequency.value = 880;
        tone.start(ctx.currentTime + i * 0.5); tone.stop(ctx.currentTime + i * 0.5 + 0.3);
      }
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
        var lines = banner.querySelectorAll("[data-alert-key]");
        var keys = Array.prototype.map.call(lines, function (a) { return a.dataset.alertKey; });
        var fresh = Array.prototype.filter.call(lines, function (a) { return seen !== null && a.classList.contains("open") && seen.indexOf(a.dataset.alertKey) < 0; });
        if (fresh.length) beep(fresh.some(function (a) { return a.dataset.rung !== "0"; }) ? 3 : 1);
        seen = keys;
      })
      .catch(function () { /* keep the last banner; try again */ });
  }
  refresh();
  setInterval(refresh, 2000);
})();
