// Upload progress for admin forms with file fields (the episode form): percent and time left while
// the request is sent, and a clear message when a file is refused or the upload fails.
// Files the browser can already judge (too large, a type the field does not take) are refused
// before anything is sent. Without this script the form submits as usual.
(() => {
  "use strict";

  const HEADER = "X-Upload-Progress";

  const megabytes = (bytes) => {
    if (bytes >= 1024 * 1024 * 1024) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
    if (bytes >= 1024 * 1024) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
    return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  };

  const timeLeft = (seconds) => {
    if (!Number.isFinite(seconds)) return "working out the time left";
    if (seconds < 60) return `about ${Math.max(1, Math.round(seconds))} s left`;
    if (seconds < 3600) return `about ${Math.round(seconds / 60)} min left`;
    const hours = Math.floor(seconds / 3600);
    return `about ${hours} h ${Math.round((seconds - hours * 3600) / 60)} min left`;
  };

  const accepts = (input, file) => {
    const tokens = (input.accept || "").split(",").map((t) => t.trim().toLowerCase()).filter(Boolean);
    if (!tokens.length) return true;
    const name = file.name.toLowerCase();
    const type = (file.type || "").toLowerCase();
    return tokens.some((token) =>
      token.startsWith(".") ? name.endsWith(token)
        : token.endsWith("/*") ? type.startsWith(token.slice(0, -1))
        : type === token);
  };

  // What the browser can tell before sending: each chosen file's size and type.
  const refusals = (form) => {
    const found = [];
    for (const input of form.querySelectorAll("input[type=file]")) {
      for (const file of input.files || []) {
        const max = Number(input.dataset.maxBytes);
        if (max && file.size > max) {
          found.push(`“${file.name}” is ${megabytes(file.size)}: too large, at most ` +
            `${input.dataset.maxLabel || megabytes(max)} is accepted. Nothing was sent.`);
        } else if (!accepts(input, file)) {
          found.push(`“${file.name}” is not a file this field takes ` +
            `(${input.dataset.kinds || input.accept}). Nothing was sent.`);
        }
      }
    }
    return found;
  };

  const panel = (form) => {
    let box = form.querySelector(".upload-progress");
    if (!box) {
      box = document.createElement("div");
      box.className = "upload-progress";
      box.innerHTML = '<progress max="100" value="0" hidden></progress>' +
        '<p class="upload-status" role="status" aria-live="polite"></p>' +
        '<ul class="errorlist upload-errors" role="alert"></ul>';
      const row = form.querySelector(".submit-row");
      (row ? row.parentNode : form).insertBefore(box, row);
    }
    return {
      bar: box.querySelector("progress"),
      status: box.querySelector(".upload-status"),
      errors: box.querySelector(".upload-errors"),
    };
  };

  const showErrors = (ui, messages) => {
    ui.errors.replaceChildren(...messages.map((text) => {
      const item = document.createElement("li");
      item.textContent = text;
      return item;
    }));
  };

  const failure = (status) => {
    if (status === 413) return "The server refused the upload: the request is larger than it accepts.";
    if (status === 403) return "The server refused the upload: your login or this form expired. " +
      "Reload the page (log in again if asked) and save again.";
    if (status === 0) return "The upload stopped: the connection to the server was lost.";
    return `The server could not save it (error ${status}).`;
  };

  const send = (form, submitter) => {
    const ui = panel(form);
    const data = new FormData(form, submitter || undefined);
    const buttons = form.querySelectorAll("[type=submit]");
    const xhr = new XMLHttpRequest();
    let started = 0;
    const busy = (on) => buttons.forEach((button) => { button.disabled = on; });
    const stay = (event) => event.preventDefault();
    const done = () => { busy(false); window.removeEventListener("beforeunload", stay); };

    xhr.upload.addEventListener("progress", (event) => {
      if (!event.lengthComputable) return;
      const percent = Math.floor((event.loaded / event.total) * 100);
      const elapsed = (performance.now() - started) / 1000;
      const rate = event.loaded / Math.max(elapsed, 0.001);
      const left = elapsed < 1 ? NaN : (event.total - event.loaded) / rate;
      ui.bar.value = percent;
      ui.status.textContent = `Uploading ${megabytes(event.total)}: ${percent} % · ${timeLeft(left)}`;
    });
    xhr.upload.addEventListener("load", () => {
      ui.bar.value = 100;
      ui.status.textContent = "Uploaded: the server is reading the files…";
    });
    xhr.addEventListener("load", () => {
      done();
      if ((xhr.getResponseHeader("Content-Type") || "").startsWith("application/json")) {
        window.location.assign(JSON.parse(xhr.responseText).location);
      } else if (xhr.status === 200) {
        // The form again, with the server's own messages beside the fields.
        document.open();
        document.write(xhr.responseText);
        document.close();
      } else {
        ui.bar.hidden = true;
        ui.status.textContent = "";
        showErrors(ui, [`${failure(xhr.status)} Nothing was saved; try again.`]);
      }
    });
    for (const kind of ["error", "abort", "timeout"]) {
      xhr.addEventListener(kind, () => {
        done();
        ui.bar.hidden = true;
        ui.status.textContent = "";
        showErrors(ui, [`${failure(0)} Nothing was saved; try again.`]);
      });
    }

    showErrors(ui, []);
    ui.bar.hidden = false;
    ui.bar.value = 0;
    ui.status.textContent = "Uploading: starting…";
    busy(true);
    window.addEventListener("beforeunload", stay);
    xhr.open("POST", form.action || window.location.href);
    xhr.setRequestHeader(HEADER, "1");
    started = performance.now();
    xhr.send(data);
  };

  document.addEventListener("submit", (event) => {
    const form = event.target;
    const inputs = [...form.querySelectorAll("input[type=file]")];
    if (!inputs.some((input) => input.files && input.files.length)) return;
    event.preventDefault();
    const refused = refusals(form);
    if (refused.length) {
      showErrors(panel(form), refused);
      return;
    }
    send(form, event.submitter);
  });
})();
