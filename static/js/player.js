// The listener's player: enhances the native <audio controls> it finds in [data-player-root].
// Without this script the native player still plays, and chapter and transcript links still
// point at #t=<seconds>. No dependencies; nothing here is inline, so the site's CSP holds.
(() => {
  "use strict";
  const root = document.querySelector("[data-player-root]");
  const audio = root && root.querySelector("audio");
  if (!audio) return;

  const $ = (selector) => root.querySelector(selector);
  const SPEEDS = [0.75, 1, 1.25, 1.5, 1.75, 2];
  const BACK = 15;
  const FORWARD = 30;
  const positionKey = `podcast:position:${root.dataset.episode}`;
  const speedKey = "podcast:speed";
  const parse = (value, fallback) => {
    try {
      return JSON.parse(value || "") ?? fallback;
    } catch {
      return fallback;
    }
  };
  const chapters = parse(root.dataset.chapters, []).sort((a, b) => a.startTime - b.startTime);
  const artwork = parse(root.dataset.artwork, []);
  const store = {
    get(key) {
      try {
        return localStorage.getItem(key);
      } catch {
        return null; // storage refused (privacy mode, a sandboxed frame)
      }
    },
    set(key, value) {
      try {
        localStorage.setItem(key, value);
      } catch {
        /* the position is a convenience: without storage it is simply not remembered */
      }
    },
    remove(key) {
      try {
        localStorage.removeItem(key);
      } catch {
        /* as above */
      }
    },
  };

  const clock = (seconds) => {
    const whole = Math.max(0, Math.floor(seconds || 0));
    const h = Math.floor(whole / 3600);
    const m = Math.floor((whole % 3600) / 60);
    const s = String(whole % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
  };
  const duration = () =>
    Number.isFinite(audio.duration) && audio.duration > 0 ? audio.duration : Number(root.dataset.duration) || 0;

  const seekTo = (seconds, play) => {
    const go = () => {
      audio.currentTime = Math.max(0, Math.min(seconds, duration() || seconds));
      if (play) audio.play().catch(() => {});
    };
    if (audio.readyState >= 1) return go();
    audio.addEventListener("loadedmetadata", go, { once: true });
    // The player preloads nothing (opening a page is not a listen): ask for the audio now.
    if (audio.networkState !== HTMLMediaElement.NETWORK_LOADING) audio.load();
  };
  const skip = (seconds) => seekTo(audio.currentTime + seconds, false);

  // Controls: only shown once this script runs, since only it makes them work.
  for (const element of root.querySelectorAll("[data-enhanced]")) element.hidden = false;
  for (const button of root.querySelectorAll("[data-skip]")) {
    button.addEventListener("click", () => skip(Number(button.dataset.skip)));
  }

  const speed = $("[data-speed]");
  const setSpeed = (rate) => {
    audio.playbackRate = rate;
    audio.defaultPlaybackRate = rate;
    if (speed) speed.value = String(rate);
    store.set(speedKey, String(rate));
  };
  const savedSpeed = Number(store.get(speedKey));
  if (SPEEDS.includes(savedSpeed)) setSpeed(savedSpeed);
  speed?.addEventListener("change", () => setSpeed(Number(speed.value)));
  const stepSpeed = (direction) => {
    const index = SPEEDS.indexOf(audio.playbackRate);
    const next = SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, (index < 0 ? 1 : index) + direction))];
    setSpeed(next);
  };

  // Chapters: the one playing, marks on the progress bar, lock-screen metadata.
  const chapterAt = (time) => {
    let current = null;
    for (const chapter of chapters) if (chapter.startTime <= time + 0.25) current = chapter;
    return current;
  };
  const nowChapter = $("[data-now-chapter]");
  const chapterItems = [...document.querySelectorAll("[data-chapter-start]")];
  let shownChapter;
  const showChapter = (chapter) => {
    if (chapter === shownChapter) return;
    shownChapter = chapter;
    if (nowChapter) {
      nowChapter.hidden = !chapter;
      nowChapter.querySelector("span").textContent = chapter ? chapter.title : "";
    }
    for (const item of chapterItems) {
      const current = chapter && Number(item.dataset.chapterStart) === chapter.startTime;
      if (current) item.setAttribute("aria-current", "true");
      else item.removeAttribute("aria-current");
    }
    updateMetadata();
  };

  const bar = $("[data-seekbar]");
  const marks = $("[data-chapter-marks]");
  const drawMarks = () => {
    const total = duration();
    if (!marks || !total) return;
    marks.replaceChildren();
    for (const chapter of chapters) {
      if (chapter.startTime <= 0 || chapter.startTime >= total) continue;
      const mark = document.createElement("span");
      mark.className = "chapter-mark";
      mark.title = chapter.title;
      mark.dataset.start = String(chapter.startTime);
      // CSSOM, not a style attribute: the CSP allows scripts to position things this way.
      mark.style.left = `${(chapter.startTime / total) * 100}%`;
      marks.append(mark);
    }
  };
  const updateBar = () => {
    if (!bar) return;
    const total = duration();
    bar.max = String(Math.max(1, Math.ceil(total)));
    bar.value = String(Math.floor(audio.currentTime));
    const chapter = chapterAt(audio.currentTime);
    bar.setAttribute(
      "aria-valuetext",
      `${clock(audio.currentTime)} of ${clock(total)}${chapter ? `, ${chapter.title}` : ""}`,
    );
  };
  bar?.addEventListener("input", () => seekTo(Number(bar.value), false));

  // Media Session: lock screens and headsets show the artwork and the chapter, and control us.
  const session = "mediaSession" in navigator ? navigator.mediaSession : null;
  function updateMetadata() {
    if (!session || typeof MediaMetadata === "undefined") return;
    const chapter = shownChapter;
    session.metadata = new MediaMetadata({
      title: chapter ? chapter.title : root.dataset.title,
      artist: root.dataset.show,
      album: root.dataset.title,
      artwork,
    });
  }
  const positionState = () => {
    if (!session || !session.setPositionState || !duration()) return;
    try {
      session.setPositionState({
        duration: duration(),
        playbackRate: audio.playbackRate,
        position: Math.min(audio.currentTime, duration()),
      });
    } catch {
      /* a position past a stream's reported end: skip this update */
    }
  };
  const nextChapter = (direction) => {
    const current = chapterAt(audio.currentTime);
    const index = current ? chapters.indexOf(current) : -1;
    // "Previous" restarts the chapter unless we are at its very beginning, as players do.
    if (direction < 0 && current && audio.currentTime - current.startTime > 3) {
      seekTo(current.startTime, false);
      return;
    }
    const target = chapters[index + direction];
    if (target) seekTo(target.startTime, false);
  };
  if (session) {
    const handlers = {
      play: () => audio.play().catch(() => {}),
      pause: () => audio.pause(),
      seekbackward: (details) => skip(-(details.seekOffset || BACK)),
      seekforward: (details) => skip(details.seekOffset || FORWARD),
      seekto: (details) => seekTo(details.seekTime, false),
      previoustrack: chapters.length ? () => nextChapter(-1) : null,
      nexttrack: chapters.length ? () => nextChapter(1) : null,
    };
    for (const [action, handler] of Object.entries(handlers)) {
      try {
        session.setActionHandler(action, handler);
      } catch {
        /* an action this browser does not know */
      }
    }
    updateMetadata();
  }

  // The transcript follows along; clicking anywhere on a line seeks to it.
  const transcript = document.querySelector("[data-transcript]");
  const lines = transcript
    ? [...transcript.querySelectorAll("[data-line-start]")].map((line) => ({
        line,
        start: Number(line.dataset.lineStart),
      }))
    : [];
  const follow = document.querySelector("[data-follow]");
  if (follow) follow.closest("[data-enhanced]").hidden = !lines.length;
  let currentLine = null;
  const followTranscript = () => {
    let found = null;
    for (const entry of lines) if (entry.start <= audio.currentTime + 0.25) found = entry.line;
    if (found === currentLine) return;
    currentLine?.classList.remove("is-current");
    currentLine?.removeAttribute("aria-current");
    currentLine = found;
    if (!found) return;
    found.classList.add("is-current");
    found.setAttribute("aria-current", "true");
    if (follow?.checked && !audio.paused) {
      // Scroll the transcript box only, never the page under the listener.
      transcript.scrollTop = found.offsetTop - transcript.clientHeight / 3;
    }
  };
  transcript?.addEventListener("click", (event) => {
    const line = event.target.closest("[data-line-start]");
    if (!line || event.target.closest("a:not([data-seek])")) return;
    event.preventDefault();
    seekTo(Number(line.dataset.lineStart), true);
  });

  // Remember where the listener was, per episode, and offer it back on return.
  let lastSaved = -1;
  const savePosition = (force) => {
    const time = Math.floor(audio.currentTime);
    const total = duration();
    if (audio.ended || (total && time >= total - 5)) {
      store.remove(positionKey);
      return;
    }
    if (time < 5 || (!force && Math.abs(time - lastSaved) < 5)) return;
    lastSaved = time;
    store.set(positionKey, JSON.stringify({ time, saved: Date.now() }));
  };
  const resume = $("[data-resume]");
  const saved = parse(store.get(positionKey), null);
  if (resume && saved && saved.time >= 5 && !/^#t=\d+$/.test(location.hash)) {
    const label = clock(saved.time);
    resume.querySelector("[data-resume-time]").textContent = label;
    const yes = resume.querySelector("[data-resume-yes]");
    yes.textContent = `Resume from ${label}`;
    resume.hidden = false;
    yes.addEventListener("click", () => {
      resume.hidden = true;
      seekTo(saved.time, true);
      audio.focus();
    });
    resume.querySelector("[data-resume-no]").addEventListener("click", () => {
      resume.hidden = true;
      store.remove(positionKey);
      audio.focus();
    });
  }
  audio.addEventListener("pause", () => savePosition(true));
  audio.addEventListener("ended", () => store.remove(positionKey));
  window.addEventListener("pagehide", () => savePosition(true));

  // Share from here: a link to this moment (#t=<seconds>), copied when the browser lets us.
  const shareBox = $("[data-share-box]");
  $("[data-share]")?.addEventListener("click", async () => {
    const time = Math.floor(audio.currentTime);
    const url = `${root.dataset.shareUrl}#t=${time}`;
    const field = shareBox.querySelector("input");
    const status = shareBox.querySelector("[data-share-status]");
    field.value = url;
    shareBox.hidden = false;
    try {
      await navigator.clipboard.writeText(url);
      status.textContent = `Link to ${clock(time)} copied.`;
    } catch {
      field.focus();
      field.select();
      status.textContent = `Copy the link to ${clock(time)} above.`;
    }
  });

  // Keyboard shortcuts, only while focus is inside the player: a screen reader's own single-key
  // commands elsewhere on the page are never taken over, and no key is needed to use anything.
  root.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    if (target.matches("input[type=text], input[type=url], select, textarea")) return;
    const actions = {
      k: () => (audio.paused ? audio.play().catch(() => {}) : audio.pause()),
      j: () => skip(-BACK),
      l: () => skip(FORWARD),
      "<": () => stepSpeed(-1),
      ">": () => stepSpeed(1),
    };
    const action = actions[event.key.length === 1 ? event.key.toLowerCase() : event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });

  // Editors pick soundbites with the player: start and end where it stands.
  const picker = document.querySelector("[data-soundbite-picker]");
  if (picker) {
    const start = picker.querySelector("[name=start_time]");
    const length = picker.querySelector("[name=duration]");
    const status = picker.querySelector("[data-picker-status]");
    const at = () => Math.round(audio.currentTime * 10) / 10;
    for (const button of picker.querySelectorAll("[data-mark]")) {
      button.hidden = false;
      button.addEventListener("click", () => {
        if (button.dataset.mark === "start") {
          start.value = String(at());
          status.textContent = `Starts at ${clock(at())}.`;
          return;
        }
        const seconds = Math.round((at() - Number(start.value || 0)) * 10) / 10;
        if (seconds <= 0) {
          status.textContent = "Play past the start first, then mark the end.";
          return;
        }
        length.value = String(seconds);
        status.textContent = `Lasts ${seconds} seconds.`;
      });
    }
  }

  const tick = () => {
    showChapter(chapterAt(audio.currentTime));
    updateBar();
    followTranscript();
    savePosition(false);
  };
  audio.addEventListener("timeupdate", tick);
  audio.addEventListener("seeked", () => {
    tick();
    positionState();
  });
  audio.addEventListener("loadedmetadata", () => {
    drawMarks();
    tick();
    positionState();
  });
  audio.addEventListener("ratechange", positionState);
  audio.addEventListener("play", positionState);
  if (audio.readyState >= 1) drawMarks();
  tick();
})();
