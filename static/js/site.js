// Seek links (chapters, timestamps in show notes, #t=<seconds> addresses) and the feed copy button.
// Without this script the page still works: links only change the address, the player plays.
(() => {
  "use strict";
  const player = document.querySelector("audio[data-player]");

  const seek = (seconds, play) => {
    if (!player || !Number.isFinite(seconds) || seconds < 0) return;
    const go = () => {
      player.currentTime = seconds;
      if (play) player.play().catch(() => {});
    };
    if (player.readyState >= 1) return go();
    player.addEventListener("loadedmetadata", go, { once: true });
    // The player preloads nothing (opening a page is not a listen): ask for the audio now.
    if (player.networkState !== HTMLMediaElement.NETWORK_LOADING) player.load();
  };

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-seek]");
    if (!link || !player) return;
    event.preventDefault();
    seek(Number(link.dataset.seek), true);
    history.replaceState(null, "", link.getAttribute("href"));
    player.focus();
  });

  const fromHash = () => {
    const match = /^#t=(\d+)$/.exec(location.hash);
    if (match) seek(Number(match[1]), false);
  };
  window.addEventListener("hashchange", fromHash);
  fromHash();

  for (const button of document.querySelectorAll("button[data-copy]")) {
    const field = document.getElementById(button.dataset.copy);
    const status = button.closest(".feed-copy")?.querySelector(".copy-status");
    if (!field) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      let copied = false;
      try {
        await navigator.clipboard.writeText(field.value);
        copied = true;
      } catch {
        field.select();
        copied = document.execCommand && document.execCommand("copy");
      }
      const done = button.dataset.copied || "Feed address copied.";
      if (status) status.textContent = copied ? done : "Select the text and copy it.";
    });
  }
})();
