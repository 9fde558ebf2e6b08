// The ribbon's six buttons (manifest.xml: FunctionName), bound in the shared runtime of the task pane's page,
// so each click can show its result in the task pane. The work is in main.js (globalThis.improvementPlan).
async function ribbonCall(event, work) {
  try {
    await Office.addin.showAsTaskpane();
    await work();
  } finally {
    event.completed();
  }
}
Office.actions.associate("validate", (event) => ribbonCall(event, () => globalThis.improvementPlan.run("validate")));
Office.actions.associate("go-to-finding", (event) => ribbonCall(event, () => globalThis.improvementPlan.run("go_to_finding")));
Office.actions.associate("refresh", (event) => ribbonCall(event, () => globalThis.improvementPlan.run("refresh")));
Office.actions.associate("build-report", (event) => ribbonCall(event, () => globalThis.improvementPlan.report()));
Office.actions.associate("request-updates", (event) => ribbonCall(event, () => globalThis.improvementPlan.requestUpdates()));
// A file can be chosen only by a click in the page, so Collect updates opens the task pane at its file picker.
Office.actions.associate("collect-updates", (event) => ribbonCall(event, async () => globalThis.improvementPlan.showCollect()));
