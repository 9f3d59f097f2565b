// Cristal page snapshot: one pass over the rendered DOM (open shadow roots, same-origin
// iframes) that returns a compact list of nodes (role, accessible name, value, states) and
// tags each node's element with a stable `data-cristal-ref` so actions can find it again.
(opts) => {
  const EXCLUDE = (opts && opts.exclude) || [];
  const HIDDEN = !!(opts && opts.includeHidden);
  const MAX = (opts && opts.maxNodes) || 2500;
  const NAME_MAX = 160, VALUE_MAX = 120, OPTIONS_MAX = 25;
  const W = window;
  let nextRef = W.__cristalNextRef || 1;
  let nextFrame = W.__cristalNextFrame || 1;
  const seenRefs = new Map();
  const nodes = [];
  let dropped = 0;

  const INPUT_ROLES = {
    checkbox: "checkbox", radio: "radio", range: "slider", number: "spinbutton",
    search: "searchbox", button: "button", submit: "button", reset: "button",
    image: "button", file: "file", color: "button",
  };
  const INTERACTIVE = new Set([
    "button", "link", "checkbox", "radio", "textbox", "searchbox", "combobox", "listbox",
    "option", "slider", "spinbutton", "switch", "tab", "menuitem", "menuitemcheckbox",
    "menuitemradio", "treeitem", "file", "gridcell",
  ]);
  const STRUCT = new Set([
    "list", "table", "row", "form", "dialog", "alertdialog", "navigation", "group", "tablist",
    "menu", "menubar", "tree", "grid", "radiogroup", "iframe", "region", "tabpanel",
  ]);
  const FROM_CONTENT = new Set([
    "button", "link", "tab", "menuitem", "menuitemcheckbox", "menuitemradio", "option",
    "treeitem", "heading", "cell", "columnheader", "rowheader", "listitem", "checkbox", "radio",
    "switch", "gridcell", "tooltip", "alert", "status", "clickable",
  ]);
  const LEAFLIKE = new Set([
    "heading", "cell", "columnheader", "rowheader", "listitem", "img", "alert", "status",
    "tooltip", "progressbar",
  ]);
  const NO_DESCEND = new Set(["INPUT", "SELECT", "TEXTAREA", "SCRIPT", "STYLE", "NOSCRIPT",
    "TEMPLATE", "SVG", "CANVAS", "VIDEO", "AUDIO", "HEAD", "META", "LINK"]);
  const PAYMENT = /(card|cc-|cvc|cvv|csc|expir|iban|カード|セキュリティコード|有効期限)/i;

  const clip = (s, n) => (s.length > n ? s.slice(0, n - 1) + "…" : s);
  const squash = (s) => (s || "").replace(/\s+/g, " ").trim();

  function deepActive(doc) {
    let a = doc.activeElement;
    for (let i = 0; a && i < 20; i++) {
      if (a.shadowRoot && a.shadowRoot.activeElement) { a = a.shadowRoot.activeElement; continue; }
      if (a.tagName === "IFRAME") {
        let d = null;
        try { d = a.contentDocument; } catch (e) { d = null; }
        if (d && d.activeElement && d.activeElement !== d.body) { a = d.activeElement; continue; }
      }
      break;
    }
    return a;
  }
  const active = deepActive(document);

  function roleOf(el, tag) {
    const explicit = el.getAttribute("role");
    if (explicit) {
      const r = explicit.trim().split(/\s+/)[0].toLowerCase();
      return r === "presentation" || r === "none" ? "" : r;
    }
    switch (tag) {
      case "A": case "AREA": return el.hasAttribute("href") ? "link" : "";
      case "BUTTON": case "SUMMARY": return "button";
      case "INPUT": {
        const t = (el.getAttribute("type") || "text").toLowerCase();
        if (t === "hidden") return "hidden";
        if (el.hasAttribute("list")) return "combobox";
        return INPUT_ROLES[t] || "textbox";
      }
      case "SELECT": return el.multiple || el.size > 1 ? "listbox" : "combobox";
      case "TEXTAREA": return "textbox";
      case "H1": case "H2": case "H3": case "H4": case "H5": case "H6": return "heading";
      case "IMG": return el.getAttribute("alt") ? "img" : "";
      case "UL": case "OL": return "list";
      case "LI": return "listitem";
      case "TABLE": return "table";
      case "TR": return "row";
      case "TD": return "cell";
      case "TH": return el.getAttribute("scope") === "row" ? "rowheader" : "columnheader";
      case "NAV": return "navigation";
      case "DIALOG": return "dialog";
      case "FORM": return "form";
      case "FIELDSET": return "group";
      case "IFRAME": case "FRAME": return "iframe";
      case "OPTION": return "option";
      case "PROGRESS": return "progressbar";
    }
    if (el.isContentEditable && !(el.parentElement && el.parentElement.isContentEditable)) {
      return "textbox";
    }
    return "";
  }

  function textContentOf(el) {
    const t = el.innerText !== undefined ? el.innerText : el.textContent;
    return squash(t);
  }

  function byIds(el, ids) {
    const root = el.getRootNode();
    return ids.split(/\s+/).map((id) => {
      const n = (root.getElementById && root.getElementById(id)) || el.ownerDocument.getElementById(id);
      return n ? textContentOf(n) : "";
    }).join(" ");
  }

  function nameOf(el, tag, role) {
    let v = el.getAttribute("aria-labelledby");
    if (v) { const s = squash(byIds(el, v)); if (s) return [s, "label"]; }
    v = squash(el.getAttribute("aria-label"));
    if (v) return [v, "label"];
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") {
      const t = (el.type || "").toLowerCase();
      if (tag === "INPUT" && (t === "button" || t === "submit" || t === "reset")) {
        return [squash(el.value) || (t === "reset" ? "Reset" : "Submit"), "content"];
      }
      if (tag === "INPUT" && t === "image") return [squash(el.alt || el.value || "Submit"), "content"];
      if (el.labels && el.labels.length) {
        const s = squash(Array.from(el.labels).map(textContentOf).join(" "));
        if (s) return [s, "label"];
      }
    }
    if (tag === "IMG" || tag === "AREA") { v = squash(el.getAttribute("alt")); if (v) return [v, "label"]; }
    if (tag === "FIELDSET") {
      const lg = el.querySelector("legend");
      if (lg) return [textContentOf(lg), "label"];
    }
    if (tag === "TABLE" && el.caption) return [textContentOf(el.caption), "label"];
    if (tag === "IFRAME" || tag === "FRAME") return [squash(el.title || el.name || ""), "label"];
    if (FROM_CONTENT.has(role) && tag !== "INPUT" && tag !== "SELECT" && tag !== "TEXTAREA") {
      const s = textContentOf(el);
      if (s) return [s, "content"];
    }
    v = squash(el.getAttribute("title"));
    if (v) return [v, "title"];
    v = squash(el.getAttribute("placeholder") || el.getAttribute("aria-placeholder"));
    if (v) return [v, "placeholder"];
    if (tag === "BUTTON" || tag === "A") {
      const img = el.querySelector("img[alt]");
      if (img && img.alt.trim()) return [squash(img.alt), "label"];
    }
    return ["", ""];
  }

  function siblingText(n, forward) {
    for (let s = forward ? n.nextSibling : n.previousSibling, i = 0; s && i < 4;
      s = forward ? s.nextSibling : s.previousSibling, i++) {
      if (s.nodeType === 1 && (EXCLUDE.length && excluded(s) ||
        ["INPUT", "SELECT", "TEXTAREA", "BUTTON"].includes(s.tagName) ||
        (forward && s.tagName === "BR"))) return "";
      const t = squash(s.nodeType === 3 ? s.data : s.nodeType === 1 ? textContentOf(s) : "");
      if (t) return t.length <= 60 ? t : "";
    }
    return "";
  }

  function nearOf(el) {
    // Text just before an unlabelled field ("to: <input>", "<div>Name</div><div><input></div>").
    let n = el;
    for (let level = 0; level < 2 && n; level++) {
      // Text before the field, else text after it in the same container ("<input> Genre").
      const t = siblingText(n, false) || (level === 0 ? siblingText(n, true) : "");
      if (t) return t;
      n = n.parentElement;
      if (!n || n.children.length > 3 || (EXCLUDE.length && excluded(n))) break;
    }
    return "";
  }

  function hintOf(el, style) {
    // Words from id, classes and icon file names, for icons that have no accessible name.
    const parts = [];
    if (el.id) parts.push(el.id);
    if (typeof el.className === "string") parts.push(el.className);
    for (const prop of [style.content, style.backgroundImage]) {
      const m = /url\(["']?[^"')]*?([^/"')]+?)(\.[a-z0-9]+)?["']?\)/i.exec(prop || "");
      if (m) parts.push(m[1]);
    }
    const words = parts.join(" ").replace(/([a-z])([A-Z])/g, "$1 $2").split(/[\s_\-.]+/)
      .map((w) => w.toLowerCase()).filter((w) => w && w.length > 1 && !/^\d+$/.test(w)
        && !/^(ui|js|fa|icon|btn|col|row|clicked|active|hide|show|left|right|container)$/.test(w));
    return clip(Array.from(new Set(words)).join(" "), 60);
  }

  function valueOf(el, tag, role) {
    if (tag === "SELECT") {
      return squash(Array.from(el.selectedOptions).map((o) => o.text).join(", "));
    }
    if (tag === "INPUT" || tag === "TEXTAREA") {
      const t = (el.type || "").toLowerCase();
      if (role === "checkbox" || role === "radio" || role === "button" || t === "file") {
        return t === "file" ? Array.from(el.files || []).map((f) => f.name).join(", ") : "";
      }
      if (!el.value) return "";
      if (t === "password") return "<hidden>";
      if (el.hasAttribute("data-cristal-secret")) return "<secret>";
      return clip(el.value.replace(/\s+/g, " "), VALUE_MAX);
    }
    const now = el.getAttribute("aria-valuenow");
    return now ? squash(el.getAttribute("aria-valuetext") || now) : "";
  }

  function statesOf(el, tag, role, rect, interactive) {
    const s = [];
    const ariaChecked = el.getAttribute("aria-checked");
    if ((tag === "INPUT" && (role === "checkbox" || role === "radio")) || ariaChecked !== null) {
      if (el.indeterminate || ariaChecked === "mixed") s.push("mixed");
      else if (el.checked || ariaChecked === "true") s.push("checked");
      else s.push("unchecked");
    }
    if ((tag === "OPTION" && el.selected) || el.getAttribute("aria-selected") === "true") s.push("selected");
    const exp = el.getAttribute("aria-expanded");
    if (exp === "true") s.push("expanded");
    else if (exp === "false") s.push("collapsed");
    if (tag === "SUMMARY" && el.parentElement && el.parentElement.tagName === "DETAILS") {
      s.push(el.parentElement.open ? "expanded" : "collapsed");
    }
    if (el.getAttribute("aria-pressed") === "true") s.push("pressed");
    if ((el.matches && el.matches(":disabled")) || el.getAttribute("aria-disabled") === "true") s.push("disabled");
    if (el.readOnly && (tag === "INPUT" || tag === "TEXTAREA")) s.push("readonly");
    if (el.required || el.getAttribute("aria-required") === "true") s.push("required");
    if (el === active) s.push("focused");
    if (interactive && (rect.bottom < 0 || rect.top > W.innerHeight || rect.right < 0 || rect.left > W.innerWidth)) {
      s.push("offscreen");
    }
    return s;
  }

  function refFor(el) {
    let ref = el.getAttribute("data-cristal-ref");
    if (!ref || (seenRefs.has(ref) && seenRefs.get(ref) !== el)) {
      ref = "e" + nextRef++;  // new, or a clone carrying a copy of another element's ref
      el.setAttribute("data-cristal-ref", ref);
    }
    seenRefs.set(ref, el);
    return ref;
  }

  function childrenOf(el) {
    if (el.shadowRoot) return el.shadowRoot.childNodes;
    if (el.tagName === "SLOT") {
      const assigned = el.assignedNodes({ flatten: true });
      return assigned.length ? assigned : el.childNodes;
    }
    return el.childNodes;
  }

  function excluded(el) {
    for (const sel of EXCLUDE) { try { if (el.matches(sel)) return true; } catch (e) { /* bad selector */ } }
    return false;
  }

  function pushText(text, depth, owner, frame, faint) {
    if (faint) return;
    const t = squash(text);
    if (!t) return;
    nodes.push({ role: "text", name: t, ref: owner ? refFor(owner) : "", depth, frame });
  }

  function walk(el, depth, frame, faint, parentCursor) {
    if (nodes.length >= MAX) { dropped++; return; }
    const tag = el.tagName;
    if (!tag || tag === "SCRIPT" || tag === "STYLE" || tag === "NOSCRIPT" || tag === "TEMPLATE") return;
    if (EXCLUDE.length && excluded(el)) return;
    const displayed = el.checkVisibility ? el.checkVisibility() : true;
    if (!displayed && !HIDDEN) return;
    const hiddenHere = !displayed;
    const role = roleOf(el, tag);
    if (role === "hidden") return;
    const style = getComputedStyle(el);
    const visible = displayed && style.visibility !== "hidden" && style.visibility !== "collapse";
    const rect = el.getBoundingClientRect();
    const tiny = rect.width * rect.height < 2 && style.overflow !== "visible";
    const gone = rect.right + W.scrollX < -5 || rect.bottom + W.scrollY < -5;
    faint = faint || style.opacity === "0" || parseFloat(style.fontSize) < 2 || tiny || gone;
    const pointer = style.cursor === "pointer";
    // An icon (an image and no text) inside a clickable region usually has its own handler.
    const icon = pointer && rect.width <= 64 && rect.height <= 64 && rect.width > 0 &&
      (tag === "IMG" || tag === "SVG" || tag === "svg" || /url\(/.test(style.content || "") ||
        /url\(/.test(style.backgroundImage || "")) && !(el.textContent || "").trim();
    // An <a> without href is a script's button (date pickers, menus): clickable too.
    const clickable = !INTERACTIVE.has(role) && (
      (pointer && parentCursor !== "pointer") || icon || el.hasAttribute("onclick") ||
      (el.hasAttribute("tabindex") && el.tabIndex >= 0 && tag !== "A" && tag !== "BODY") ||
      (tag === "A" && !el.hasAttribute("href") && !!(el.title || squash(el.textContent))));
    const effRole = role || (clickable ? "clickable" : "");
    const interactive = INTERACTIVE.has(effRole) || clickable;
    const meaningful = STRUCT.has(effRole) || LEAFLIKE.has(effRole);
    const emit = (interactive || (meaningful && !faint)) && (visible || HIDDEN);
    const start = nodes.length;
    let node = null;
    if (emit) {
      const [name, from] = nameOf(el, tag, effRole);
      node = { role: effRole, name: clip(name, NAME_MAX), from, ref: refFor(el), depth, frame };
      if (interactive) node.interactive = true;
      if (hiddenHere || !visible) node.hidden = true;
      if (!name && interactive) {
        const near = ["textbox", "searchbox", "combobox", "checkbox", "radio", "slider",
          "spinbutton", "listbox", "file"].includes(effRole) ? nearOf(el) : "";
        if (near) node.near = near;
        else node.hint = hintOf(el, style);
      }
      const value = valueOf(el, tag, effRole);
      if (value) node.value = value;
      const states = statesOf(el, tag, effRole, rect, interactive);
      if (faint && interactive) states.push("invisible");
      if (states.length) node.states = states;
      if (effRole === "heading") node.level = +(tag.slice(1)) || +el.getAttribute("aria-level") || 2;
      if (tag === "SELECT") {
        const opts = Array.from(el.options).map((o) => squash(o.text));
        node.options = opts.slice(0, OPTIONS_MAX);
        if (opts.length > OPTIONS_MAX) node.more = opts.length - OPTIONS_MAX;
      }
      if (el.href && (tag === "A" || tag === "AREA")) node.href = String(el.href);
      if (tag === "INPUT" || tag === "TEXTAREA") {
        node.type = (el.type || "text").toLowerCase();
        const ac = (el.getAttribute("autocomplete") || "") + " " + (el.name || "") + " " + (el.id || "");
        if (node.type === "password") node.sensitive = "password";
        else if (PAYMENT.test(ac) || /^cc-/.test(el.getAttribute("autocomplete") || "")) node.sensitive = "payment";
      }
      node.box = [Math.round(rect.left), Math.round(rect.top + W.scrollY), Math.round(rect.width), Math.round(rect.height)];
      nodes.push(node);
    }
    const childDepth = emit ? depth + 1 : depth;
    if (tag === "IFRAME" || tag === "FRAME") {
      let doc = null;
      try { doc = el.contentDocument; } catch (e) { doc = null; }
      if (!doc || !doc.body) {
        if (node) (node.states = node.states || []).push("cross-origin");
        return;
      }
      let fid = el.getAttribute("data-cristal-frame");
      if (!fid) { fid = "f" + nextFrame++; el.setAttribute("data-cristal-frame", fid); }
      walk(doc.body, childDepth, frame ? frame + "/" + fid : fid, faint, "");
      return;
    }
    if (!NO_DESCEND.has(tag.toUpperCase())) {
      for (const child of childrenOf(el)) {
        if (child.nodeType === 1) walk(child, childDepth, frame, faint, style.cursor);
        else if (child.nodeType === 3 && visible && child.data.trim()) pushText(child.data, childDepth, el, frame, faint);
      }
    }
    const inner = nodes.length - start - (node ? 1 : 0);
    if (node && inner > 0) {
      const kids = nodes.slice(start + 1);
      // A control's own text is its name: drop the repeat. A clickable region holding several
      // separate texts ("Reply", "Forward") keeps them: each may be its own target.
      const leaf = ["BUTTON", "A", "SUMMARY", "OPTION", "LABEL"].includes(tag) || kids.length === 1;
      if (leaf && kids.every((k) => k.role === "text") && (node.interactive || LEAFLIKE.has(effRole))) {
        nodes.length = start + 1;
      } else if (node.from === "content") {
        node.container = true;  // its text is spread over the children below it
      }
    } else if (!node && inner > 1) {
      const kids = nodes.slice(start);
      if (kids.every((k) => k.role === "text" && k.depth === depth)) {
        nodes.length = start;
        nodes.push({ role: "text", name: squash(kids.map((k) => k.name).join(" ")), ref: refFor(el), depth, frame });
      }
    } else if (node && inner === 0 && !interactive && !node.name && effRole !== "iframe") {
      nodes.length = start;  // an empty list, row, form or status says nothing
    }
  }

  const root = document.body || document.documentElement;
  walk(root, 0, "", false, "");
  W.__cristalNextRef = nextRef;
  W.__cristalNextFrame = nextFrame;
  return JSON.stringify({
    url: location.href, title: document.title, nodes, dropped,
    viewport: [W.innerWidth, W.innerHeight], scroll: [Math.round(W.scrollY),
      Math.round(document.documentElement.scrollHeight)],
  });
}
