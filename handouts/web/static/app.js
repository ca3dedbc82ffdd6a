// The page's behaviour: upload → inspect → build (with progress) → previews and downloads.
// Plain DOM, no framework; every text from the server goes in with textContent.
"use strict";

const $ = (id) => document.getElementById(id);
let chosen = null; // the File the clerk dropped or picked
let jobId = null;

const STAGES = {
  start: "准备中……", parse: "读取和解析……", compose: "准备字体和版面……", write: "生成 Word 和 PDF……",
  zip: "打包 .zip……", preview: "生成预览……", done: "完成", failed: "失败",
};
const KINDS = {"handout": "学习材料", "record-sheet": "学习记录表", "signin-sheet": "签到表",
               "print-bundle": "打印合集"};

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

function show(id, on = true) { $(id).hidden = !on; }

async function post(url, body) {
  const response = await fetch(url, {method: "POST", body, credentials: "same-origin"});
  let data = null;
  try { data = await response.json(); } catch (e) { data = {error: `服务器返回 ${response.status}`}; }
  if (!response.ok) throw Object.assign(new Error(data.error || "出错了"), {data});
  return data;
}

function formWith(file) {
  const form = new FormData();
  form.append("file", file, file.name);
  return form;
}

async function choose(file) {
  chosen = file;
  $("file-name").textContent = file.name;
  show("upload-error", false);
  for (const id of ["step-inspect", "step-branches", "step-build", "step-results"]) show(id, false);
  try {
    const data = await post("/api/inspect", formWith(file));
    renderInspect(data);
    for (const id of ["step-inspect", "step-branches", "step-build"]) show(id);
  } catch (err) {
    $("upload-error").textContent = err.message;
    show("upload-error");
  }
}

function renderInspect(data) {
  const byLine = new Map();
  for (const note of data.notes) byLine.set(note.line, [...(byLine.get(note.line) || []), note]);
  const lines = $("lines");
  lines.replaceChildren();
  data.lines.forEach((text, i) => {
    const li = el("li", text || "\u00a0");
    li.id = `line-${i + 1}`;
    const notes = byLine.get(i + 1);
    if (notes) {
      li.className = notes.some((n) => n.severity === "warning") ? "warn" : "info";
      li.title = notes.map((n) => n.message).join("\n");
    }
    lines.append(li);
  });
  $("encoding").textContent = `${data.name} · ${data.summary.encoding} · ${data.lines.length} 行`;
  renderSummary(data.summary);
  renderNotes(data.notes);
}

function renderSummary(s) {
  $("s-title").textContent = s.title || "（没有识别出）";
  $("s-notice").textContent = s.notice ? s.notice.title : "（没有识别出通知）";
  $("s-date").textContent = s.study_date || "（通知中没有写明）";
  const items = $("s-items");
  items.replaceChildren(...(s.notice ? s.notice.items : []).map((it) => lineLink(el("li", it.text), it.line)));
  $("s-count").textContent = `共 ${s.attachments.length} 个`;
  const body = $("s-attachments").tBodies[0];
  body.replaceChildren(...s.attachments.map((a) => {
    const tr = el("tr");
    tr.dataset.attachment = a.label;
    tr.append(lineLink(el("td", a.label), a.line));
    const cell = el("td");
    cell.append(el("div", a.title, "title"), el("div", a.source || "（没有来源行）", a.source ? "source" : "source missing"));
    tr.append(cell, el("td", headingCounts(a.headings), "num"));
    return tr;
  }));
}

const LEVELS = ["一级", "二级", "三级", "四级"];

function headingCounts(counts) {
  const parts = counts.map((n, i) => (n ? `${LEVELS[i]} ${n}` : "")).filter(Boolean);
  return parts.length ? parts.join("，") : "无小标题";
}

function renderNotes(notes) {
  const warnings = notes.filter((n) => n.severity === "warning").length;
  $("notes-count").textContent = `警告 ${warnings} 条，说明 ${notes.length - warnings} 条`;
  $("notes").replaceChildren(...notes.map((n) => {
    const li = el("li", null, n.severity === "warning" ? "warn" : "info");
    li.append(lineLink(el("a", `第 ${n.line} 行`, "line-ref"), n.line), el("span", ` ${n.severity === "warning" ? "警告" : "说明"}：${n.message}`));
    return li;
  }));
  if (!notes.length) $("notes").append(el("li", "没有警告。", "ok"));
}

function lineLink(node, line) {
  node.classList.add("goto");
  node.title = `第 ${line} 行`;
  node.addEventListener("click", () => {
    const target = $(`line-${line}`);
    if (!target) return;
    target.scrollIntoView({block: "center", behavior: "smooth"});
    target.classList.add("flash");
    setTimeout(() => target.classList.remove("flash"), 1500);
  });
  return node;
}

// The edited list becomes the default (seeds/branches.txt) only when the clerk asks.
async function saveBranches() {
  const form = new FormData();
  form.append("branches", $("branches").value);
  const status = $("branches-status");
  try {
    const saved = await post("/api/branches", form);
    $("branches").defaultValue = $("branches").value;
    status.className = "hint";
    status.textContent = `已保存为默认名单（${saved.count} 个二级党组织）` +
      (saved.warnings.length ? `；${saved.warnings.join("；")}` : "");
  } catch (err) {
    status.className = "error";
    status.textContent = err.message;
  }
}

async function build() {
  if (!chosen) return;
  const form = formWith(chosen);
  form.append("branches", $("branches").value);
  $("build").disabled = true;
  show("step-results", false);
  $("build-messages").replaceChildren();
  progress({stage: "start", done: 0, total: 0, seconds: 0});
  try {
    const job = await post("/api/jobs", form);
    jobId = job.id;
    await poll();
  } catch (err) {
    failed(err.data || {error: err.message, messages: []});
  } finally {
    $("build").disabled = false;
  }
}

async function poll() {
  for (;;) {
    const response = await fetch(`/api/jobs/${jobId}`, {credentials: "same-origin"});
    const job = await response.json();
    if (!response.ok) throw Object.assign(new Error(job.error), {data: job});
    progress(job);
    if (job.state === "done") return finished(job);
    if (job.state === "failed") return failed({error: job.errors[0] || "生成失败", messages: job.messages});
    await new Promise((r) => setTimeout(r, 300));
  }
}

function progress(job) {
  show("progress");
  const bar = $("progress-bar");
  const order = ["start", "parse", "compose", "write", "zip", "preview", "done"];
  let share = order.indexOf(job.stage) / (order.length - 1);
  if (job.stage === "write" && job.total) share = 0.15 + 0.7 * (job.done / job.total);
  bar.style.width = `${Math.max(3, Math.round(100 * Math.max(0, share)))}%`;
  bar.parentElement.classList.toggle("failed", job.stage === "failed");
  const count = job.stage === "write" && job.total ? `（${job.done} / ${job.total} 个文件）` : "";
  $("progress-text").textContent = `${STAGES[job.stage] || job.stage}${count} ${job.seconds ?? ""} 秒`;
}

function messages(list) {
  $("build-messages").replaceChildren(...list.map((m) => el("li", m, m.startsWith("警告") ? "warn" : m.startsWith("完成") ? "ok" : "error")));
}

function failed(data) {
  progress({stage: "failed", done: 0, total: 0});
  messages(data.messages && data.messages.length ? data.messages : [data.error]);
}

function fileUrl(path, download) {
  return `/api/jobs/${jobId}/files/${path.split("/").map(encodeURIComponent).join("/")}${download ? "?download=1" : ""}`;
}

function finished(job) {
  messages(job.messages.filter((m) => !m.startsWith("完成")));
  const files = job.manifest.files;
  $("zip").href = `/api/jobs/${jobId}/zip`;
  $("zip").setAttribute("download", `${job.folder}.zip`);
  const handout = files.find((f) => f.kind === "handout" && f.format === "pdf");
  const branches = new Set(files.filter((f) => f.branch).map((f) => f.branch)).size;
  $("result-summary").textContent = `${job.folder}：${files.length} 个文件，${branches} 个支部` +
    (handout ? `，学习材料 ${handout.pages} 页` : "") + `，用时 ${job.seconds} 秒`;
  $("previews").replaceChildren(...job.previews.map((p) => {
    const fig = el("figure");
    const link = el("a");
    link.href = fileUrl(p.file) + `#page=${p.page}`;
    link.target = "_blank";
    const img = el("img");
    img.src = `/api/jobs/${jobId}/previews/${p.name}`;
    img.alt = p.caption;
    img.width = p.width; img.height = p.height;
    link.append(img);
    fig.append(link, el("figcaption", p.caption));
    return fig;
  }));
  renderFiles(files);
  show("step-results");
  if ($("step-mail")) loadMail();
  $("step-results").scrollIntoView({behavior: "smooth", block: "start"});
}

function fileLink(f, text) {
  const a = el("a", text);
  a.href = fileUrl(f.path, f.format === "docx" || f.format === "eml");
  if (f.format === "pdf" || f.format === "json") a.target = "_blank";
  a.title = f.path;
  return a;
}

// The handout and the bundle first, then one row per branch: its four sheets side by side.
function renderFiles(files) {
  const whole = $("files-whole");
  whole.replaceChildren(...files.filter((f) => !f.branch).map((f) => {
    const li = el("li");
    const pages = f.pages ? `（${f.pages} 页）` : "";
    li.append(el("span", `${KINDS[f.kind]} ${f.format === "pdf" ? "PDF" : "Word"}`, "kind"), fileLink(f, f.path), el("span", pages, "hint"));
    return li;
  }));
  const manifest = el("li");
  manifest.append(el("span", "文件清单", "kind"), fileLink({path: "manifest.json", format: "json"}, "manifest.json"));
  whole.append(manifest);
  const rows = new Map();
  for (const f of files.filter((x) => x.branch)) rows.set(f.branch, [...(rows.get(f.branch) || []), f]);
  const columns = [["record-sheet", "pdf"], ["record-sheet", "docx"], ["signin-sheet", "pdf"], ["signin-sheet", "docx"]];
  const mails = files.some((f) => f.kind === "mail");
  if (mails) columns.push(["mail", "eml"]);
  $("files-mail").hidden = !mails;
  $("files").tBodies[0].replaceChildren(...[...rows].map(([branch, list]) => {
    const tr = el("tr");
    tr.append(el("td", branch));
    for (const [kind, format] of columns) {
      const f = list.find((x) => x.kind === kind && x.format === format);
      const td = el("td");
      const label = {pdf: `PDF${f && f.pages ? `（${f.pages} 页）` : ""}`, docx: "Word", eml: "邮件 .eml"}[format];
      if (f) td.append(fileLink(f, label));
      tr.append(td);
    }
    return tr;
  }));
}

// ---- The mail step (issue 14): who gets what, confirm, per-branch result.

const SIZE = (n) => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`);
let mailPlan = null;

async function loadMail() {
  show("step-mail");
  if (!$("mail-plan")) return; // the settings file is broken: the block says so
  const response = await fetch(`/api/jobs/${jobId}/mail`, {credentials: "same-origin"});
  const data = await response.json();
  if (!response.ok) { mailMessages([{cls: "error", text: data.error}]); return; }
  mailPlan = data;
  renderMail(data);
  return data;
}

function renderMail(data) {
  const results = new Map((data.run ? data.run.results : []).map((r) => [r.branch, r]));
  $("mail-subject").textContent = data.plan.length ? `主题：“${data.plan[0].subject}”` : "";
  $("mail-plan").tBodies[0].replaceChildren(...data.plan.map((p) => {
    const tr = el("tr");
    tr.dataset.branch = p.branch;
    const r = results.get(p.branch);
    let state = p.already_sent ? `已于 ${p.sent_at} 发送，不再发送` : `待发送${p.recipients.length > p.pending.length ? "（其余地址已发送过）" : ""}`;
    let cls = p.already_sent ? "ok" : "";
    if (r) {
      const parts = [];
      if (r.delivered.length) parts.push(`已发送 → ${r.delivered.join(", ")}`);
      for (const [addr, why] of Object.entries(r.refused)) parts.push(`未发送 → ${addr}：服务器拒绝（${why}）`);
      if (r.error) parts.push(`未发送：${r.error}`);
      state = parts.join("；");
      cls = r.ok ? "ok" : "error";
    }
    tr.append(el("td", p.branch), el("td", p.pending.join(", ") || p.recipients.join(", ")),
              el("td", p.attachments.join("、"), "small"), el("td", SIZE(p.size), "num"), el("td", state, `state ${cls}`));
    return tr;
  }));
  const pending = data.plan.filter((p) => !p.already_sent);
  const running = data.run && data.run.state === "running";
  $("mail-send").hidden = !pending.length || running;
  $("mail-send").textContent = `发送 ${pending.length} 封邮件……`;
  if (!data.plan.length) $("mail-missing").textContent = "名单中没有写邮箱的二级党组织，没有邮件可发。在第 3 步名称后写上邮箱，再生成一次。";
  else if (!pending.length) $("mail-missing").textContent = "全部已发送过，没有要发送的邮件。";
  else $("mail-missing").textContent = "";
  if (data.run && data.run.state !== "running") {
    const items = [];
    if (data.run.error) items.push({cls: "error", text: data.run.error});
    const sent = data.run.results.filter((r) => r.delivered.length).length;
    if (data.run.not_reached.length) items.push({cls: "error", text: `以下 ${data.run.not_reached.length} 个二级党组织没有（全部）收到邮件：${data.run.not_reached.join("、")}。修正后再点发送，只发这些。`});
    else if (!data.run.error) items.push({cls: "ok", text: `完成：发送了 ${sent} 封邮件。`});
    mailMessages(items);
  }
}

function mailMessages(items) {
  $("mail-result").replaceChildren(...items.map((i) => el("li", i.text, i.cls)));
}

function askMail() {
  const pending = mailPlan.plan.filter((p) => !p.already_sent);
  const s = mailPlan.settings;
  const addresses = pending.reduce((n, p) => n + p.pending.length, 0);
  $("mail-confirm-text").textContent = `将从 ${s.sender} 经 ${s.host}:${s.port} 给 ${pending.length} 个二级党组织（${addresses} 个地址）发送邮件。确认发送吗？`;
  show("mail-confirm");
  $("mail-send").hidden = true;
}

async function sendMail() {
  show("mail-confirm", false);
  const form = new FormData();
  if ($("password")) form.append("password", $("password").value);
  mailMessages([{cls: "info", text: "正在发送……"}]);
  try {
    await post(`/api/jobs/${jobId}/mail`, form);
    for (;;) {
      await new Promise((r) => setTimeout(r, 400));
      const data = await loadMail();
      if (!data || !data.run || data.run.state !== "running") break;
    }
  } catch (err) {
    mailMessages([{cls: "error", text: err.message}]);
    $("mail-send").hidden = false;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const drop = $("drop");
  $("file").addEventListener("change", (e) => { if (e.target.files[0]) choose(e.target.files[0]); });
  for (const type of ["dragenter", "dragover"]) {
    drop.addEventListener(type, (e) => { e.preventDefault(); drop.classList.add("over"); });
  }
  for (const type of ["dragleave", "drop"]) {
    drop.addEventListener(type, () => drop.classList.remove("over"));
  }
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    if (e.dataTransfer.files[0]) choose(e.dataTransfer.files[0]);
  });
  // A file dropped beside the box must not make the browser leave the page.
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => e.preventDefault());
  $("build").addEventListener("click", build);
  $("branches-reset").addEventListener("click", () => {
    $("branches").value = $("branches").defaultValue;
    $("branches-status").textContent = "";
  });
  $("branches-save").addEventListener("click", saveBranches);
  if ($("mail-send")) {
    $("mail-send").addEventListener("click", askMail);
    $("mail-confirm-yes").addEventListener("click", sendMail);
    $("mail-confirm-no").addEventListener("click", () => { show("mail-confirm", false); $("mail-send").hidden = false; });
  }
});
