// Collections: upload many files at once (chosen or dropped), one request per file, with
// a progress bar and the outcome or error of each file. Without this script the form
// posts every file at once and the server answers with a page of outcomes.
"use strict";
(() => {
  function setup(form) {
    const input = form.querySelector("input[type=file]");
    const zone = document.getElementById("dropzone");
    const results = document.getElementById("upload-results");
    const list = document.getElementById("upload-list");
    const summary = document.getElementById("upload-summary");
    const reload = document.getElementById("upload-reload");
    const token = form.elements.csrf.value;
    const text = (key, values = {}) =>
      form.dataset[key].replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));
    const queue = [];
    let running = false, ok = 0, all = 0;

    function line(file) {
      const item = document.createElement("li");
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = file.name;
      const bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", text("progress", { name: file.name }));
      const state = document.createElement("span");
      state.className = "state";
      state.textContent = text("waiting");
      item.append(name, " ", bar, " ", state);
      list.appendChild(item);
      return { item, bar, state };
    }

    function finish(view, good, message) {
      view.state.textContent = message;
      view.item.classList.add(good ? "ok" : "bad");
      view.bar.value = 100;
      if (good) ok += 1;
      summary.textContent = text("summary", { ok, all });
      if (ok) reload.hidden = false;
    }

    function send(file, view) {
      return new Promise((resolve) => {
        const xhr = new XMLHttpRequest();
        xhr.open("POST", form.action);
        xhr.setRequestHeader("X-CSRF-Token", token);
        xhr.setRequestHeader("Accept", "application/json");
        xhr.upload.addEventListener("progress", (event) => {
          if (event.lengthComputable) view.bar.value = Math.round(95 * event.loaded / event.total);
        });
        xhr.upload.addEventListener("load", () => { view.state.textContent = text("indexing"); });
        xhr.addEventListener("load", () => {
          const type = xhr.getResponseHeader("content-type") || "";
          if (type.startsWith("application/json")) {
            try {
              const answer = JSON.parse(xhr.responseText).files[0];
              finish(view, answer.ok, answer.message);
              resolve();
              return;
            } catch (e) { /* fall through */ }
          }
          let message = text("failed", { status: xhr.status });
          const page = new DOMParser().parseFromString(xhr.responseText, "text/html");
          const alert = page.querySelector("[role=alert]");
          if (alert && alert.textContent.trim()) message += " " + alert.textContent.trim();
          finish(view, false, message);
          resolve();
        });
        xhr.addEventListener("error", () => { finish(view, false, text("lost")); resolve(); });
        const body = new FormData();
        body.append("files", file, file.name);
        view.state.textContent = text("sending");
        xhr.send(body);
      });
    }

    async function drain() {
      if (running) return;
      running = true;
      while (queue.length) {
        const [file, view] = queue.shift();
        await send(file, view);
      }
      running = false;
    }

    function add(files) {
      if (!files || !files.length) return;
      results.hidden = false;
      for (const file of files) {
        all += 1;
        queue.push([file, line(file)]);
      }
      summary.textContent = text("summary", { ok, all });
      drain();
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      add([...input.files]);
      input.value = "";
    });
    for (const name of ["dragenter", "dragover"]) {
      zone.addEventListener(name, (event) => {
        event.preventDefault();
        zone.classList.add("over");
      });
    }
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove("over");
      add([...event.dataTransfer.files]);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("upload-form");
    if (form && window.XMLHttpRequest && window.FormData) setup(form);
  });
})();
