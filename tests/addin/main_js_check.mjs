// The task pane's main.js run in Node against a stand-in page and a stand-in xlwings: Request updates and Collect
// updates call the server in the right order with the right body. Usage: node main_js_check.mjs <main.js as .mjs>
// (tests/test_server.py copies main.js to a .mjs file, so Node reads it as the module the page loads).
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";

class Element {
  constructor(id = "") {
    this.id = id;
    this.children = [];
    this.textContent = "";
    this.className = "";
    this.hidden = false;
    this.dataset = {};
    this.listeners = {};
    this.files = [];
  }
  appendChild(child) { this.children.push(child); }
  replaceChildren(...children) { this.children = children; }
  addEventListener(type, listener) { this.listeners[type] = listener; }
  setAttribute() {}
  scrollIntoView() { this.scrolled = true; }
  focus() { this.focused = true; }
  querySelector() { return this.tbody; }
  async click() { await this.listeners.click(); }
}

const elements = {};
const byId = (id) => (elements[id] ??= new Element(id));
byId("config").textContent = JSON.stringify({ appPath: "" });
byId("ip-preview").tbody = new Element("ip-preview-tbody");
const buttons = { "[data-ip-requests]": new Element(), "[data-ip-collect]": new Element() };
let ready;
globalThis.document = {
  getElementById: byId,
  createElement: () => new Element(),
  querySelector: (selector) => (selector === "#ip-preview tbody" ? byId("ip-preview").tbody : new Element()),
  querySelectorAll: (selector) => (buttons[selector] ? [buttons[selector]] : []),
  addEventListener: (type, listener) => { ready = listener; },
};
globalThis.window = { location: { origin: "https://addin.council.example" } };
globalThis.URL.createObjectURL = () => "blob:zip";
globalThis.FileReader = class {
  readAsDataURL(file) {
    this.result = `data:application/octet-stream;base64,${Buffer.from(file.content).toString("base64")}`;
    this.onload();
  }
};

const calls = []; // what reached the server, in order
const replies = {};
globalThis.fetch = async (url, init) => {
  const path = url.replace(window.location.origin, "");
  calls.push({ path, body: JSON.parse(init.body) });
  const reply = replies[path];
  return {
    ok: reply.status === 200,
    statusText: "Unprocessable",
    headers: { get: (name) => (name === "X-Request-Ids" ? reply.ids || null : reply.disposition || "") },
    blob: async () => "zip bytes",
    json: async () => reply.json,
  };
};
globalThis.xlwings = {
  getBookData: async () => ({ book: { name: "tracker.xlsx" }, sheets: [] }),
  runPython: async (options) => { calls.push({ script: options.scriptName, args: options.args, include: options.include }); },
};

const summary = { message: "61 actions", summary: { overall: {}, period: null, findings: [] } };
for (const key of ["complete_and_embedded", "completed_by_deadline", "ongoing_within_deadline",
  "not_completed_by_deadline", "not_rated", "total"]) summary.summary.overall[key] = { count: 0, actions: [] };
replies["/improvement-plan/summary"] = { status: 200, json: summary };

await import(pathToFileURL(process.argv[2]).href);
ready();
const plan = "Actions,Recommendations,Leads,Revisions,Periods,Settings,History,Requests";

// Request updates: the zip first, then record_requests; no zip, no log
replies["/improvement-plan/requests"] = { status: 200, disposition: "attachment; filename*=UTF-8''tracker%20update%20requests%20Q2.zip",
  ids: JSON.stringify({ SK: "0a1b2c3d4e5f6071" }) };
await buttons["[data-ip-requests]"].click();
assert.deepEqual(calls.map((c) => c.path || c.script), ["/improvement-plan/requests", "record_requests", "/improvement-plan/summary"]);
assert.deepEqual(calls[1].args, [{ SK: "0a1b2c3d4e5f6071" }]); // the zip's request ids, logged by the script
assert.equal(calls[1].include, plan);
assert.equal(byId("ip-download").children[0].download, "tracker update requests Q2.zip");
calls.length = 0;
replies["/improvement-plan/requests"] = { status: 422, json: { detail: "No owner in Leads has open actions" } };
await buttons["[data-ip-requests]"].click();
assert.deepEqual(calls.map((c) => c.path || c.script), ["/improvement-plan/requests"]);
assert.equal(byId("ip-status").textContent, "No owner in Leads has open actions");
assert.match(byId("ip-status").className, /text-danger/);

// Collect updates: nothing chosen is a message, not a call
calls.length = 0;
await buttons["[data-ip-collect]"].click();
assert.equal(calls.length, 0);
assert.match(byId("ip-status").textContent, /Choose the update requests/);

// the preview: one row per change, proposed deadline and refusal; Apply offered because there are changes
byId("ip-returns").files = [{ name: "SK.xlsx", content: "PK-sk" }, { name: "DD.xlsx", content: "PK-dd" }];
replies["/improvement-plan/collect"] = { status: 200, json: {
  message: "2 returns: 1 changes and 1 proposed deadlines, 1 refused.", lines: [],
  updates: [{ action: "5.2", field: "status", old: "On track", new: "Complete", file: "SK.xlsx", cell: "F5" }],
  revisions: [{ action: "5.3", old_deadline: "", new_deadline: "31/03/2017", reason: "Review", file: "SK.xlsx", cell: "I6" }],
  refused: [{ action_id: "1.1", message: "not DD's action", where: "[DD.xlsx]Update request!A5" }],
  recorded_rag: [{ action: "5.2", recorded: "A", rule: "G", said: "5.2: recorded Amber, the rule gives Green after this return",
    file: "SK.xlsx", set: false }] } };
await buttons["[data-ip-collect]"].click();
const returns = [{ name: "SK.xlsx", data: Buffer.from("PK-sk").toString("base64") },
  { name: "DD.xlsx", data: Buffer.from("PK-dd").toString("base64") }];
assert.deepEqual(calls.map((c) => c.path), ["/improvement-plan/collect"]);
assert.deepEqual(calls[0].body.args, [returns]);
const text = (td) => (td.children.length ? td.children.map((line) => line.textContent).join(" | ") : td.textContent);
const rows = byId("ip-preview").tbody.children.map((tr) => tr.children.map(text));
assert.deepEqual(rows, [ // per file, what is refused first, each row with its cell; a change: was, then now
  ["DD.xlsx"],
  ["1.1", "Refused: not written", "not DD's action", "A5"],
  ["SK.xlsx"],
  ["5.2", "Progress status", "Was: On track | Now: Complete", "F5"],
  ["5.3", "New deadline proposed (Revisions, not yet agreed)", "Deadline: (none) | Proposed: 31/03/2017 | Reason: Review",
    "I6"]]);
assert.match(byId("ip-preview").tbody.children[1].className, /table-danger/);
assert.match(byId("ip-preview").tbody.children[3].children[2].children[0].className, /text-muted/); // was: muted
assert.equal(byId("ip-apply").hidden, false);
assert.equal(byId("ip-apply-note").hidden, false); // beside Apply: refused rows are not written, nothing yet is
assert.match(byId("ip-apply-note").textContent, /^Rows shaded red are refused and not written.*Nothing is written until/);

// the Recorded RAGs the return puts at odds with the rule, in officers' words, and the question, unticked
assert.equal(byId("ip-recorded").hidden, false);
assert.deepEqual(byId("ip-recorded-list").children.map((li) => li.textContent),
  ["5.2: recorded Amber, the rule gives Green after this return"]);
assert.equal(byId("ip-set-recorded").checked, false);
assert.equal(byId("ip-set-recorded-label").textContent,
  "Also set Recorded RAG to the rule's rating for 1 action (logged on the Requests sheet)");
byId("ip-set-recorded").checked = true; // the officer ticks it

// Apply these changes: collect_updates with the files previewed and the answer, then a quiet refresh, then the
// summary; once
calls.length = 0;
await byId("ip-apply").click();
assert.deepEqual(calls.map((c) => c.path || c.script), ["collect_updates", "refresh", "/improvement-plan/summary"]);
assert.deepEqual(calls[0].args, [returns, true]);
assert.equal(byId("ip-recorded").hidden, true);
assert.equal(calls[0].include, plan);
assert.deepEqual(calls[1].args, [true]);
assert.equal(byId("ip-apply").hidden, true);
assert.equal(byId("ip-apply-note").hidden, true); // what it said is no longer so once written
calls.length = 0;
await byId("ip-apply").click();
assert.equal(calls.length, 0);

// a preview with nothing to change offers no Apply and no Recorded RAG question
replies["/improvement-plan/collect"].json = { message: "Nothing to change", lines: [], updates: [], revisions: [], refused: [],
  recorded_rag: [] };
await buttons["[data-ip-collect]"].click();
assert.equal(byId("ip-apply").hidden, true);
assert.equal(byId("ip-recorded").hidden, true);
assert.equal(byId("ip-preview").hidden, true);
assert.equal(byId("ip-apply-note").hidden, true);
calls.length = 0;
await byId("ip-apply").click();
assert.equal(calls.length, 0);

// a refused upload: its sentence in the status, the earlier preview gone, no Apply
replies["/improvement-plan/collect"] = { status: 200, json: { message: "1 returns", lines: [], updates: [
  { action: "5.2", field: "status", old: "", new: "Complete", file: "SK.xlsx", cell: "F5" }], revisions: [], refused: [] } };
await buttons["[data-ip-collect]"].click();
assert.equal(byId("ip-preview").hidden, false);
assert.equal(byId("ip-recorded").hidden, true); // no Recorded RAG at odds with the rule: no question
assert.equal(byId("ip-apply-note").textContent, "Nothing is written until you click Apply these changes.");
byId("ip-set-recorded").checked = true; // ticked from before, but not asked now: not sent as yes
calls.length = 0;
await byId("ip-apply").click();
assert.deepEqual(calls[0].args[1], false);
replies["/improvement-plan/collect"] = { status: 422, json: { detail: "notes.txt is not an Excel workbook (.xlsx)" } };
await buttons["[data-ip-collect]"].click();
assert.equal(byId("ip-status").textContent, "notes.txt is not an Excel workbook (.xlsx)");
assert.equal(byId("ip-preview").hidden, true);
assert.equal(byId("ip-apply").hidden, true);
assert.equal(byId("ip-apply-note").hidden, true);

// Build report: the .docx first, then record_snapshot; no report, no snapshot
calls.length = 0;
replies["/improvement-plan/report"] = { status: 200, disposition: "attachment; filename*=UTF-8''tracker%20report.docx" };
await globalThis.improvementPlan.report();
assert.deepEqual(calls.map((c) => c.path || c.script), ["/improvement-plan/report", "record_snapshot", "/improvement-plan/summary"]);
assert.equal(calls[1].include, plan);
assert.equal(byId("ip-download").children[0].download, "tracker report.docx");
calls.length = 0;
replies["/improvement-plan/report"] = { status: 422, json: { detail: "The template is broken" } };
await globalThis.improvementPlan.report();
assert.deepEqual(calls.map((c) => c.path || c.script), ["/improvement-plan/report"]);
assert.equal(byId("ip-status").textContent, "The template is broken");

// the ribbon's Collect updates opens the pane at the file picker
globalThis.improvementPlan.showCollect();
assert.ok(byId("ip-returns").focused && byId("ip-returns").scrolled);
console.log("main.js: ok");
