// The Improvement Plan task pane. Each button runs its xlwings script (validate, refresh, go_to_finding: the
// desktop add-in's macros, run on the server), then asks the server for the plan's summary and shows it. Build
// report and Request updates post the workbook and offer the file that comes back (.docx, .zip) as a download;
// Request updates then runs the script record_requests, which logs the requests on the Requests sheet. Preview the
// changes sends the chosen returns for a preview (nothing is written), and Apply these changes runs the script
// collect_updates with the same files (and the answer to "Also set Recorded RAG to the rule's rating", offered when
// the preview lists Recorded RAGs the return puts at odds with the rule), then refresh. Only the sheets each call
// needs are sent.
// PLAN_SHEETS is addin/payload.py's PLAN_SHEETS (the scripts' include): the routes here are not scripts, so they
// cannot read it from /xlwings/custom-scripts-meta.json (tests/test_server.py checks that the two lists agree).
const PLAN_SHEETS = "Actions,Recommendations,Leads,Revisions,Periods,Settings,History,Requests";
const base = () => window.location.origin + (JSON.parse(document.getElementById("config").textContent).appPath || "");
let pendingReturns = null; // the files last previewed: Apply these changes sends exactly these

async function auth() {
  const result = typeof globalThis.getAuth === "function" ? await globalThis.getAuth() : { token: "", provider: "" };
  const headers = { "Content-Type": "application/json" };
  if (result.token) headers["Authorization"] = result.token;
  if (result.provider) headers["Auth-Provider"] = result.provider;
  return { result, headers };
}

function status(text, problem = false) {
  const el = document.getElementById("ip-status");
  el.textContent = text;
  el.className = "small " + (problem ? "text-danger" : "text-muted");
}

async function post(path, args = null) {
  const { headers } = await auth();
  const payload = await globalThis.xlwings.getBookData({ include: PLAN_SHEETS, headers: { ...headers } });
  if (args) payload.args = args; // read by xlwings-server's script arguments (dependencies.ScriptArgs)
  const response = await fetch(base() + path, { method: "POST", headers, body: JSON.stringify(payload) });
  if (!response.ok) {
    let detail = response.statusText;
    try { detail = (await response.json()).detail || detail; } catch (e) { /* not JSON */ }
    throw new Error(detail);
  }
  return response;
}

function row(table, label, count, actions) {
  const tr = document.createElement("tr");
  for (const text of [label, String(count), (actions || []).join(", ")]) {
    const td = document.createElement("td");
    td.textContent = text;
    tr.appendChild(td);
  }
  table.appendChild(tr);
}

async function select(where) {
  const [sheet, cell] = where.split("!");
  if (!sheet) return;
  await Excel.run(async (context) => {
    const ws = context.workbook.worksheets.getItem(sheet);
    ws.activate();
    if (cell) ws.getRange(cell).select();
    await context.sync();
  });
}

export function show(data) {
  const s = data.summary;
  status(data.message);
  const overall = document.querySelector("#ip-overall tbody");
  overall.replaceChildren();
  const blue = s.overall.complete_and_embedded ? [["complete_and_embedded", "Blue: complete and embedded"]] : [];
  for (const [key, label] of [...blue, ["completed_by_deadline", "Green: completed by deadline"], ["ongoing_within_deadline",
      "Amber: ongoing within deadline"], ["not_completed_by_deadline", "Red: not completed by deadline"],
      ["not_rated", "Not rated"], ["total", "Total"]]) {
    row(overall, label, s.overall[key].count, key === "total" ? [] : s.overall[key].actions);
  }
  const period = document.querySelector("#ip-period tbody");
  period.replaceChildren();
  document.getElementById("ip-period-title").textContent = s.period ? `Period ${s.period.name}` : "Period: none set";
  if (s.period) {
    for (const [key, label] of [["due", "Due"], ["completed_by_deadline", "Completed by deadline"],
        ["not_completed_by_deadline", "Not completed by deadline"], ["not_yet_due", "Not yet due"]]) {
      row(period, label, s.period[key].count, s.period[key].actions);
    }
  }
  const list = document.getElementById("ip-findings");
  list.replaceChildren();
  document.getElementById("ip-findings-count").textContent = `(${s.findings.length})`;
  for (const f of s.findings) {
    const item = document.createElement("li");
    item.className = "list-group-item list-group-item-action " + (f.severity === "error" ? "text-danger" : "");
    item.setAttribute("role", "button");
    item.dataset.where = f.where;
    item.textContent = `${f.severity}: ${f.where}${f.action_id ? " (" + f.action_id + ")" : ""}: ${f.message}`;
    item.addEventListener("click", () => select(f.where).catch((e) => status(String(e), true)));
    list.appendChild(item);
  }
}

async function summary() {
  show(await (await post("/improvement-plan/summary")).json());
}

async function script(scriptName, args = []) {
  const { result } = await auth();
  const include = scriptName === "go_to_finding" ? "Checks" : PLAN_SHEETS;
  await globalThis.xlwings.runPython({ scriptName, include, args, auth: result.token,
                                       headers: { "Auth-Provider": result.provider } });
}

async function run(scriptName) {
  await script(scriptName);
  if (scriptName !== "go_to_finding") await summary().catch((e) => status(String(e.message || e), true));
}

async function offer(response, fallback) {
  const name = decodeURIComponent((response.headers.get("Content-Disposition") || "").split("''")[1] || fallback);
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = name;
  link.textContent = `Download ${name}`;
  document.getElementById("ip-download").replaceChildren(link);
  return name;
}

async function report() {
  status("Building the report…");
  try {
    await offer(await post("/improvement-plan/report"), "report.docx");
  } catch (e) {
    status(String(e.message || e), true);
    return; // no report, so no snapshot
  }
  await run("record_snapshot"); // the report arrived: record its snapshot on History, as the command line does
  status("Report built: click the link to save it. Its snapshot is on the History sheet: save the workbook to keep it.");
}

async function requestUpdates() {
  status("Writing the update requests…");
  let response;
  try {
    response = await post("/improvement-plan/requests");
    await offer(response, "update requests.zip");
  } catch (e) {
    status(String(e.message || e), true);
    return; // no zip, so nothing is logged
  }
  // the zip arrived: log the requests on the Requests sheet, with the ids the zip's requests carry
  await script("record_requests", [JSON.parse(response.headers.get("X-Request-Ids") || "{}")]);
  await summary().catch((e) => status(String(e.message || e), true));
  status("Update requests ready: click the link to save the zip, then open each e-mail draft and send it.");
}

function base64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",")[1] || "");
    reader.onerror = () => reject(reader.error || new Error(`${file.name} could not be read.`));
    reader.readAsDataURL(file);
  });
}

function cells(tr, texts) {
  for (const text of texts) {
    const td = document.createElement("td");
    if (Array.isArray(text)) { // a change: what the tracker holds now (muted), then what the return gives
      for (const [css, line] of text) {
        const div = document.createElement("div");
        div.className = css;
        div.textContent = line;
        td.appendChild(div);
      }
    } else {
      td.textContent = text;
    }
    tr.appendChild(td);
  }
}

// the Actions columns a return changes, by the names officers see on the Actions sheet
const FIELDS = { status: "Progress status", completed_on: "Completed on", commentary: "Progress commentary",
  last_updated: "Last updated" };

function place(where) { // "[SK.xlsx]Update request!G7" -> ["SK.xlsx", "G7"]
  const found = /^\[(.*)\][^!]*!(.*)$/.exec(where || "");
  return found ? [found[1], found[2]] : ["", where || ""];
}

const WAS = "ip-was small text-muted"; // the value the tracker holds now
const NOTE = { refused: "Rows shaded red are refused and not written: ask the owner to correct them and send the "
  + "return again.", apply: "Nothing is written until you click Apply these changes." };

export function showPreview(data) {
  status(data.message);
  const body = document.querySelector("#ip-preview tbody");
  body.replaceChildren();
  const items = [ // per file, what is refused first (it is not among the changes), then the changes
    ...data.refused.map((f) => {
      const [file, cell] = place(f.where);
      return { css: "table-danger ip-refused", file, cell, action: f.action_id, field: "Refused: not written",
        change: [["", f.message]] };
    }),
    ...data.updates.map((u) => ({ css: "", file: u.file, cell: u.cell, action: u.action, field: FIELDS[u.field] || u.field,
      change: [[WAS, `Was: ${u.old || "(blank)"}`], ["", `Now: ${u.new || "(blank)"}`]] })),
    ...data.revisions.map((r) => ({ css: "", file: r.file, cell: r.cell, action: r.action,
      field: "New deadline proposed (Revisions, not yet agreed)",
      change: [[WAS, `Deadline: ${r.old_deadline || "(none)"}`], ["", `Proposed: ${r.new_deadline}`],
        ...(r.reason ? [[WAS, `Reason: ${r.reason}`]] : [])] })),
  ];
  for (const file of [...new Set(items.map((item) => item.file))]) {
    const head = document.createElement("tr"); // the file once, its rows below it with their cells
    head.className = "table-light";
    const th = document.createElement("th");
    th.colSpan = 4;
    th.textContent = file;
    head.appendChild(th);
    body.appendChild(head);
    for (const item of items.filter((i) => i.file === file)) {
      const tr = document.createElement("tr");
      tr.className = item.css;
      cells(tr, [item.action, item.field, item.change, item.cell]);
      body.appendChild(tr);
    }
  }
  const changes = data.updates.length + data.revisions.length > 0;
  showRecorded(data.recorded_rag || [], changes);
  document.getElementById("ip-preview").hidden = items.length === 0;
  document.getElementById("ip-apply").hidden = !changes;
  const note = document.getElementById("ip-apply-note");
  note.textContent = [data.refused.length > 0 ? NOTE.refused : "", changes ? NOTE.apply : ""].filter(Boolean).join(" ");
  note.hidden = items.length === 0;
}

// The Recorded RAGs the return puts at odds with the rule, each in officers' words, and the question whether to set
// them to the rule's rating (unticked: Recorded RAG is the officers' own, and stays as typed unless they tick it).
function showRecorded(recorded, changes) {
  const list = document.getElementById("ip-recorded-list");
  list.replaceChildren();
  for (const r of recorded) {
    const item = document.createElement("li");
    item.textContent = r.said;
    list.appendChild(item);
  }
  const settable = recorded.filter((r) => r.rule).length;
  const box = document.getElementById("ip-set-recorded");
  box.checked = false;
  box.hidden = settable === 0;
  const label = document.getElementById("ip-set-recorded-label");
  label.textContent = settable === 0 ? "" : `Also set Recorded RAG to the rule's rating for ${settable} `
    + (settable === 1 ? "action" : "actions") + " (logged on the Requests sheet)";
  label.hidden = settable === 0;
  document.getElementById("ip-recorded").hidden = !(changes && recorded.length > 0);
}

async function collectUpdates() {
  const chosen = [...document.getElementById("ip-returns").files];
  pendingReturns = null;
  for (const id of ["ip-apply", "ip-preview", "ip-apply-note", "ip-recorded"]) {
    document.getElementById(id).hidden = true; // not these files'
  }
  if (chosen.length === 0) {
    status("Choose the update requests the owners sent back (.xlsx), then click Preview the changes.", true);
    return;
  }
  status("Checking the returns…");
  try {
    const returns = await Promise.all(chosen.map(async (file) => ({ name: file.name, data: await base64(file) })));
    const data = await (await post("/improvement-plan/collect", [returns])).json();
    showPreview(data);
    if (data.updates.length + data.revisions.length > 0) pendingReturns = returns;
  } catch (e) {
    status(String(e.message || e), true);
  }
}

async function applyReturns() {
  if (!pendingReturns) return;
  const returns = pendingReturns;
  pendingReturns = null;
  const setRecorded = !document.getElementById("ip-recorded").hidden
    && Boolean(document.getElementById("ip-set-recorded").checked);
  for (const id of ["ip-apply", "ip-apply-note", "ip-recorded"]) document.getElementById(id).hidden = true;
  await script("collect_updates", [returns, setRecorded]); // writes the cells and the log, and says what it wrote
  // A fresh payload sees the values just written: the dashboards follow. Quietly: a second message box would
  // close collect_updates' one (xlwings shows one dialog at a time), and that one says what was written.
  await script("refresh", [true]);
  await summary().catch((e) => status(String(e.message || e), true));
}

function showCollect() {
  const input = document.getElementById("ip-returns");
  input.scrollIntoView();
  input.focus();
  status("Choose the update requests the owners sent back (.xlsx), then click Preview the changes.");
}

globalThis.improvementPlan = { run, report, summary, show, requestUpdates, collectUpdates, showCollect };

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-ip-run]").forEach((button) =>
    button.addEventListener("click", () => run(button.dataset.ipRun)));
  document.querySelectorAll("[data-ip-report]").forEach((button) => button.addEventListener("click", report));
  document.querySelectorAll("[data-ip-requests]").forEach((button) => button.addEventListener("click", requestUpdates));
  document.querySelectorAll("[data-ip-collect]").forEach((button) => button.addEventListener("click", collectUpdates));
  document.getElementById("ip-apply").addEventListener("click", applyReturns);
});
