// Research: send the question with fetch(), show the server-sent progress as it comes,
// then open the report. Without this script the form posts and waits for the report.
"use strict";
(() => {
  function parseEvents(buffer, onEvent) {
    // Split complete events ("event: x\ndata: {...}\n\n"); return what is left over.
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let name = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      if (data.length) {
        try { onEvent(name, JSON.parse(data.join("\n"))); } catch (e) { /* not JSON: skip */ }
      }
    }
    return buffer;
  }

  function start(form) {
    const list = document.getElementById("progress-list");
    const box = document.getElementById("progress");
    const failure = document.getElementById("progress-error");
    const button = form.querySelector("button[type=submit]");
    const say = (text, cls) => {
      const item = document.createElement("li");
      item.textContent = text;
      if (cls) item.className = cls;
      list.appendChild(item);
    };
    const fail = (text) => {
      failure.textContent = text;
      failure.hidden = false;
      button.disabled = false;
      form.removeAttribute("aria-busy");
    };

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      list.replaceChildren();
      failure.hidden = true;
      box.hidden = false;
      button.disabled = true;
      form.setAttribute("aria-busy", "true");
      say(form.dataset.started);
      const body = new URLSearchParams(new FormData(form));
      let finished = false;
      try {
        const answer = await fetch(form.dataset.stream, {
          method: "POST", body, credentials: "same-origin",
          headers: { "X-CSRF-Token": form.elements.csrf.value, "Accept": "text/event-stream" },
        });
        const type = answer.headers.get("content-type") || "";
        if (!answer.ok || !type.startsWith("text/event-stream")) {
          let message = form.dataset.failed.replace("{status}", String(answer.status));
          const page = new DOMParser().parseFromString(await answer.text(), "text/html");
          const alert = page.querySelector("[role=alert]");
          if (alert && alert.textContent.trim()) message = alert.textContent.trim();
          fail(message);
          return;
        }
        const reader = answer.body.getReader();
        const decoder = new TextDecoder();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer = parseEvents(buffer + decoder.decode(value, { stream: true }), (name, data) => {
            if (name === "progress") {
              say(data.detail ? `${data.label}: ${data.detail}` : data.label);
            } else if (name === "result") {
              finished = true;
              say(form.dataset.done, "done");
              window.location.assign(data.url);
            } else if (name === "error") {
              finished = true;
              fail((data.error && data.error.message) || form.dataset.lost);
            }
          });
        }
        if (!finished) fail(form.dataset.lost);
      } catch (err) {
        if (!finished) fail(form.dataset.lost);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("ask-form");
    if (form && window.fetch && window.TextDecoder && window.ReadableStream) start(form);
  });
})();
