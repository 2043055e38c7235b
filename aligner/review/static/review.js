// aligner review: the page. Every figure and every edit goes through the app's JSON API;
// the page keeps only what it shows (one page of pairs, one page of beads, the queue).
"use strict";

const PAIRS_PAGE = 50;
const BEADS_PAGE = 200;
const QUEUE_SHOWN = 10;
const params = new URLSearchParams(location.search);
const token = params.get("token") || sessionStorage.getItem("aligner-review-token") || "";
sessionStorage.setItem("aligner-review-token", token);
history.replaceState(null, "", "/");  // the token stays out of the address bar and history

const state = {pairsOffset: 0, pair: null, key: null, beadsOffset: 0, selected: 0, focus: 0,
               editing: false, pending: 0};
const $ = (id) => document.getElementById(id);

function element(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function say(message, isError) {
  const status = $("status");
  status.textContent = message;
  status.className = isError ? "error" : "";
}

// Marks the page busy until ``work`` settles (tests wait for data-busy="0").
async function track(work) {
  state.pending += 1;
  document.body.dataset.busy = "1";
  try {
    return await work;
  } finally {
    state.pending -= 1;
    if (state.pending === 0) document.body.dataset.busy = "0";
  }
}

function api(path, body) {
  return track(request(path, body));
}

async function request(path, body) {
  const options = {headers: {"X-Review-Token": token}};
  if (body !== undefined) {
    options.method = "POST";
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function percent(value) {
  return value === null || value === undefined ? "–" : `${Math.round(value * 100)} %`;
}

// ------------------------------------------------------------------ summary and queue

async function refreshSummary() {
  const summary = await api("/api/summary");
  $("source").textContent = `${summary.source} · ${summary.pairs} pair(s), ${summary.beads} beads`;
  $("estimate").textContent = `expected wrong beads: ${summary.expected_wrong.toFixed(1)}` +
    ` · reviewed ${summary.reviewed_beads} · unsaved pairs ${summary.unsaved_pairs}`;
  if (summary.notes.length) say(summary.notes.join(" "), true);
}

function queueSize() {
  const value = parseInt($("queue-n").value, 10);
  return Number.isFinite(value) && value >= 0 ? value : 0;
}

async function refreshQueue() {
  const queue = await api(`/api/queue?limit=${QUEUE_SHOWN}&next=${queueSize()}`);
  $("queue-estimate").textContent = `${queue.unreviewed} unreviewed beads. Review the next ` +
    `${queue.next}: expected wrong beads ${queue.expected_wrong.toFixed(1)} → ` +
    `${queue.expected_wrong_after.toFixed(1)}`;
  const list = $("queue");
  list.replaceChildren(...queue.items.map((item) => element("li", {
    class: "queue-item", title: `${item.src_text}\n${item.tgt_text}`,
    onclick: () => openPair(item.key, item.bead)},
    element("span", {class: "conf"}, percent(item.confidence)), ` ${item.key} #${item.bead} `,
    element("span", {class: "muted"}, item.type))));
  return queue;
}

async function nextDoubtful() {
  const queue = await api("/api/queue?limit=1&next=0");
  if (!queue.items.length) { say("No unreviewed bead left."); return; }
  await openPair(queue.items[0].key, queue.items[0].bead);
}

// ------------------------------------------------------------------ pairs list

async function refreshPairs() {
  const page = await api(`/api/pairs?offset=${state.pairsOffset}&limit=${PAIRS_PAGE}`);
  const rows = page.pairs.map((row) => element("tr", {
    class: row.key === state.key ? "current" : "", onclick: () => openPair(row.key, 0)},
    element("td", {class: "pair-name", title: row.key}, row.src_id, element("br"), row.tgt_id,
            row.unsaved ? " •" : ""),
    element("td", {class: "num"}, String(row.beads)),
    element("td", {class: "num"}, String(row.doubtful)),
    element("td", {class: "num"}, row.expected_wrong.toFixed(1)),
    element("td", {class: "num"}, String(row.reviewed))));
  $("pairs").tBodies[0].replaceChildren(...rows);
  const last = Math.min(page.offset + PAIRS_PAGE, page.total);
  $("pairs-range").textContent = `${page.total ? page.offset + 1 : 0}–${last} of ${page.total}`;
  $("pairs-prev").disabled = page.offset === 0;
  $("pairs-next").disabled = last >= page.total;
}

// ------------------------------------------------------------------ one pair

async function openPair(key, bead) {
  state.key = key;
  state.beadsOffset = Math.floor(bead / BEADS_PAGE) * BEADS_PAGE;
  show(await api(`/api/pairs/${encodeURIComponent(key)}?offset=${state.beadsOffset}&limit=${BEADS_PAGE}`));
  select(bead, 0);
  await refreshPairs();
}

async function loadBeads(offset) {
  state.beadsOffset = offset;
  show(await api(`/api/pairs/${encodeURIComponent(state.key)}?offset=${offset}&limit=${BEADS_PAGE}`));
}

function sentencesOf(bead) {
  return [...bead.src.map((s) => ({side: "src", i: s.i})), ...bead.tgt.map((t) => ({side: "tgt", i: t.i}))];
}

function beadAt(index) {
  return state.pair.beads[index - state.pair.offset];
}

function show(pair) {
  state.pair = pair;
  document.body.dataset.version = String(pair.version);
  $("pair-head").replaceChildren(
    element("h2", {}, `${pair.src_id} ↔ ${pair.tgt_id}`),
    element("span", {class: "muted"}, `pair ${pair.position + 1} of ${pair.pairs} · ${pair.total} beads · ` +
      `expected wrong ${pair.expected_wrong.toFixed(1)} · changes ` +
      (Object.entries(pair.changes).map(([kind, n]) => `${kind} ${n}`).join(", ") || "none") +
      (pair.unsaved ? " · unsaved" : "")));
  $("src-head").textContent = `source (${pair.src_lang})`;
  $("tgt-head").textContent = `target (${pair.tgt_lang})`;
  $("beads").tBodies[0].replaceChildren(...pair.beads.map(beadRow));
  const last = Math.min(pair.offset + BEADS_PAGE, pair.total);
  $("beads-range").textContent = `beads ${pair.total ? pair.offset + 1 : 0}–${last} of ${pair.total}`;
  $("beads-prev").disabled = pair.offset === 0;
  $("beads-next").disabled = last >= pair.total;
  $("undo").disabled = !pair.can_undo;
  $("redo").disabled = !pair.can_redo;
  state.selected = Math.min(Math.max(state.selected, pair.offset), Math.max(pair.offset, last - 1));
  highlight();
}

function sentenceCell(bead, side) {
  return element("td", {class: `side ${side}`}, ...bead[side].map((sentence) => element("div", {
    class: "sentence", "data-side": side, "data-i": String(sentence.i),
    onclick: () => select(bead.index, sentencesOf(bead).findIndex((s) => s.side === side && s.i === sentence.i))},
    element("span", {class: "sid"}, String(sentence.i)), " ", sentence.text)));
}

function beadRow(bead) {
  const status = bead.status === "machine" ? (bead.doubtful ? "doubtful" : "") : bead.status;
  const mt = bead.chrf === null ? null : element("div", {class: "muted", title: bead.mt || ""}, `chrF ${bead.chrf.toFixed(1)}`);
  const act = (label, title, handler) => element("button", {title, onclick: (event) => {
    event.stopPropagation(); select(bead.index, state.focus); handler(); }}, label);
  return element("tr", {class: `bead ${bead.status} ${bead.doubtful ? "is-doubtful" : ""}`,
                        "data-index": String(bead.index), onclick: () => select(bead.index, 0)},
    element("td", {class: "num"}, String(bead.index)),
    sentenceCell(bead, "src"), sentenceCell(bead, "tgt"),
    element("td", {class: "meta"}, element("div", {}, bead.type, " ",
      element("span", {class: `conf c${Math.min(9, Math.floor(bead.confidence * 10))}`}, percent(bead.confidence))),
      status ? element("div", {class: `badge ${status}`}, status) : null, mt),
    element("td", {class: "actions"},
      act("✓", "confirm (c)", confirmToggle), act("⤒", "merge with the bead above (M)", () => edit("merge", {direction: "up"})),
      act("⤓", "merge with the bead below (m)", () => edit("merge", {direction: "down"})),
      act("✂", "split before the chosen sentence (s)", splitSelected),
      act("↑", "move the chosen sentence to the bead above (u)", () => moveSelected("up")),
      act("↓", "move the chosen sentence to the bead below (d)", () => moveSelected("down")),
      act("∅", "mark the chosen sentence untranslated (x)", untranslatedSelected),
      act("✎", "edit the chosen sentence (e)", startTextEdit)));
}

function select(index, focus) {
  if (!state.pair) return;
  index = Math.max(0, Math.min(index, state.pair.total - 1));
  state.selected = index;
  state.focus = focus;
  if (index < state.pair.offset || index >= state.pair.offset + state.pair.beads.length) {
    loadBeads(Math.floor(index / BEADS_PAGE) * BEADS_PAGE).catch((error) => say(error.message, true));
    return;
  }
  highlight();
}

function highlight() {
  for (const node of document.querySelectorAll(".selected, .focused")) node.classList.remove("selected", "focused");
  const row = document.querySelector(`tr.bead[data-index="${state.selected}"]`);
  if (!row) return;
  row.classList.add("selected");
  const bead = beadAt(state.selected);
  const sentences = sentencesOf(bead);
  state.focus = Math.max(0, Math.min(state.focus, sentences.length - 1));
  const focused = sentences[state.focus];
  if (focused) row.querySelector(`.sentence[data-side="${focused.side}"][data-i="${focused.i}"]`).classList.add("focused");
  row.scrollIntoView({block: "nearest"});
}

// ------------------------------------------------------------------ edits

async function edit(op, fields) {
  if (!state.pair) return;
  const body = {op, version: state.pair.version, ...fields};
  if (!["undo", "redo", "realign", "text"].includes(op)) body.bead = state.selected;
  try {
    show(await api(`/api/pairs/${encodeURIComponent(state.key)}/edit?offset=${state.beadsOffset}&limit=${BEADS_PAGE}`, body));
    say(`${op}: done`);
    await Promise.all([refreshSummary(), refreshQueue(), refreshPairs()]);
  } catch (error) {
    say(error.message, true);
  }
}

function focusedSentence() {
  const bead = beadAt(state.selected);
  return bead ? {bead, sentence: sentencesOf(bead)[state.focus]} : {};
}

function confirmToggle() {
  const bead = beadAt(state.selected);
  if (bead) edit(bead.status === "confirmed" ? "unconfirm" : "confirm", {});
}

function splitSelected() {
  const {bead, sentence} = focusedSentence();
  if (!bead) return;
  const count = {src: bead.src.length, tgt: bead.tgt.length};
  let at = {src: Math.ceil(count.src / 2), tgt: Math.ceil(count.tgt / 2)};
  if (sentence) {
    const position = bead[sentence.side].findIndex((s) => s.i === sentence.i);
    const other = sentence.side === "src" ? "tgt" : "src";
    if (position > 0) {
      at[sentence.side] = position;
      at[other] = Math.round(position * count[other] / count[sentence.side]);
    }
  }
  edit("split", {src_at: at.src, tgt_at: at.tgt});
}

function moveSelected(direction) {
  const {sentence} = focusedSentence();
  if (sentence) edit("move", {side: sentence.side, sentence: sentence.i, direction});
}

function untranslatedSelected() {
  const {sentence} = focusedSentence();
  if (sentence) edit("untranslated", {side: sentence.side, sentence: sentence.i});
}

function startTextEdit() {
  const {sentence} = focusedSentence();
  if (!sentence) return;
  const node = document.querySelector(`.sentence[data-side="${sentence.side}"][data-i="${sentence.i}"]`);
  const text = node.lastChild.textContent.trim();
  const box = element("textarea", {id: "text-edit", rows: "3"});
  box.value = text;
  state.editing = true;
  const finish = (commit) => {
    state.editing = false;
    if (commit && box.value.trim() !== text) edit("text", {side: sentence.side, sentence: sentence.i, text: box.value});
    else show(state.pair);
  };
  box.addEventListener("keydown", (event) => {
    event.stopPropagation();
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); finish(true); }
    if (event.key === "Escape") { event.preventDefault(); finish(false); }
  });
  node.replaceChildren(box);
  box.focus();
}

async function save() {
  try {
    const result = await api("/api/save", {});
    say(result.saved.length ? `saved ${result.saved.length} pair(s): TMX and report rewritten` : "nothing to save");
    await Promise.all([refreshSummary(), refreshPairs()]);
    if (state.key) await loadBeads(state.beadsOffset);
  } catch (error) {
    say(error.message, true);
  }
}

// ------------------------------------------------------------------ keyboard

const KEYS = {
  j: () => select(state.selected + 1, 0), ArrowDown: () => select(state.selected + 1, 0),
  k: () => select(state.selected - 1, 0), ArrowUp: () => select(state.selected - 1, 0),
  h: () => { state.focus -= 1; highlight(); }, ArrowLeft: () => { state.focus -= 1; highlight(); },
  l: () => { state.focus += 1; highlight(); }, ArrowRight: () => { state.focus += 1; highlight(); },
  n: nextDoubtful, c: confirmToggle, Enter: confirmToggle,
  m: () => edit("merge", {direction: "down"}), M: () => edit("merge", {direction: "up"}),
  s: splitSelected, u: () => moveSelected("up"), d: () => moveSelected("down"),
  x: untranslatedSelected, e: startTextEdit, r: () => edit("realign", {}),
  z: () => edit("undo", {}), y: () => edit("redo", {}), Z: () => edit("redo", {}), w: save,
};

document.addEventListener("keydown", (event) => {
  if (state.editing || event.target.tagName === "INPUT" || event.altKey || event.metaKey) return;
  if (event.ctrlKey) {
    const ctrl = {s: save, z: () => edit("undo", {}), y: () => edit("redo", {})}[event.key];
    if (ctrl) { event.preventDefault(); ctrl(); }
    return;
  }
  const action = KEYS[event.key];
  if (action) {
    event.preventDefault();
    track(Promise.resolve(action())).catch((error) => say(error.message, true));
  }
});

// ------------------------------------------------------------------ start

function wire() {
  $("realign").addEventListener("click", () => edit("realign", {}));
  $("undo").addEventListener("click", () => edit("undo", {}));
  $("redo").addEventListener("click", () => edit("redo", {}));
  $("save").addEventListener("click", save);
  $("queue-next").addEventListener("click", nextDoubtful);
  $("queue-n").addEventListener("change", () => refreshQueue().catch((error) => say(error.message, true)));
  $("pairs-prev").addEventListener("click", () => { state.pairsOffset = Math.max(0, state.pairsOffset - PAIRS_PAGE); refreshPairs(); });
  $("pairs-next").addEventListener("click", () => { state.pairsOffset += PAIRS_PAGE; refreshPairs(); });
  $("beads-prev").addEventListener("click", () => loadBeads(Math.max(0, state.beadsOffset - BEADS_PAGE)));
  $("beads-next").addEventListener("click", () => loadBeads(state.beadsOffset + BEADS_PAGE));
}

async function start() {
  wire();
  try {
    await Promise.all([refreshSummary(), refreshQueue(), refreshPairs()]);
    const first = await api(`/api/pairs?offset=0&limit=1`);
    if (first.pairs.length) await openPair(first.pairs[0].key, 0);
    document.body.dataset.ready = "yes";
  } catch (error) {
    say(error.message, true);
    document.body.dataset.ready = "failed";
  }
}

start();
