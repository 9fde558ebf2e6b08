// The Improvement Plan task pane. Each button runs its xlwings script (validate, refresh, go_to_finding: the
// desktop add-in's macros, run on the server), then asks the server for the plan's summary and shows it. Build
// report posts the workbook and offers the .docx that comes back as a download. Only the sheets each call
// needs are sent (the scripts' include lists, read from /xlwings/custom-scripts-meta.json).
const PLAN_SHEETS = "Actions,Recommendations,Leads,Revisions,Periods,Settings";
const base = () => window.location.origin + (JSON.parse(document.getElementById("config").textContent).appPath || "");

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

async function post(path) {
  const { headers } = await auth();
  const payload = await globalThis.xlwings.getBookData({ include: PLAN_SHEETS, headers: { ...headers } });
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

async function run(scriptName) {
  const { result } = await auth();
  const include = scriptName === "go_to_finding" ? "Checks" : PLAN_SHEETS;
  await globalThis.xlwings.runPython({ scriptName, include, auth: result.token,
                                       headers: { "Auth-Provider": result.provider } });
  if (scriptName !== "go_to_finding") await summary().catch((e) => status(String(e.message || e), true));
}

async function report() {
  status("Building the report…");
  try {
    const response = await post("/improvement-plan/report");
    const name = decodeURIComponent((response.headers.get("Content-Disposition") || "").split("''")[1] || "report.docx");
    const link = document.createElement("a");
    link.href = URL.createObjectURL(await response.blob());
    link.download = name;
    link.textContent = `Download ${name}`;
    document.getElementById("ip-download").replaceChildren(link);
    status("Report built: click the link to save it.");
  } catch (e) {
    status(String(e.message || e), true);
  }
}

globalThis.improvementPlan = { run, report, summary, show };

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-ip-run]").forEach((button) =>
    button.addEventListener("click", () => run(button.dataset.ipRun)));
  document.querySelectorAll("[data-ip-report]").forEach((button) => button.addEventListener("click", report));
});
