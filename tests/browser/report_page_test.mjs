// Browser test of the `codessm report` page (ctest label "browser"): builds real inputs with the codessm binary
// (two tiny CodeSSM checkpoints → interpret, interpret --compare), adds the committed outputs of a demo run
// (tests/browser/fixtures: probing summary and one DirectProbe report, metrics.jsonl and the run report, bench
// JSON), an envelope of an unknown schema,
// a truncated JSON file and a missing folder, writes the page, and opens it from disk in Debian's Chromium
// (headless, driven by playwright-core). Checks: no console errors or page errors, no network request, every
// section drawn, the bad inputs named, a click on a grid cell shows that kernel's time and frequency plots, and
// a full-page screenshot that is not blank.
// Usage: node tests/browser/report_page_test.mjs --codessm build/cli/codessm --work build/tests/browser
//        [--chromium /usr/bin/chromium] [--keep-screenshot PATH]
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith("--") ? acc.concat([[a.slice(2), all[i + 1]]]) : acc), []));
const bin = path.resolve(args.codessm || path.join(root, "build/cli/codessm"));
const work = path.resolve(args.work || path.join(root, "build/tests/browser"));
const chromiumPath = args.chromium || process.env.CODESSM_CHROMIUM || "/usr/bin/chromium";

const failures = [];
function check(ok, what) {
  if (!ok) failures.push(what);
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
}
function run(...a) { return execFileSync(bin, a, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }); }

for (const [p, what] of [[bin, "the codessm binary (build it first)"], [chromiumPath, "Chromium (scripts/setup.sh installs Debian's chromium)"],
  [path.join(root, "node_modules/playwright-core"), "node_modules/playwright-core (scripts/setup.sh runs npm ci)"]]) {
  if (!fs.existsSync(p)) { console.error(`report_page_test: ${p} does not exist: ${what}`); process.exit(1); }
}
const { chromium } = await import(pathToFileURL(path.join(root, "node_modules/playwright-core/index.mjs")).href);

// ---- inputs ------------------------------------------------------------------------------------------------
fs.rmSync(work, { recursive: true, force: true });
const runDir = path.join(work, "run");
fs.mkdirSync(runDir, { recursive: true });
const t0 = Date.now();
for (const seed of ["1", "2"]) {
  run("model", "init", "codessm-tiny", "--out", path.join(work, "ckpt" + seed), "--seed", seed);
  run("interpret", path.join(work, "ckpt" + seed), "--out", path.join(runDir, "interpret-" + seed), "--no-figures");
}
run("interpret", "--compare", path.join(runDir, "interpret-1/interpret.json"), path.join(runDir, "interpret-2/interpret.json"),
  "--out", path.join(runDir, "compare"), "--no-figures");
const broken = path.join(runDir, "broken/interpret.json");
fs.mkdirSync(path.dirname(broken), { recursive: true });
fs.writeFileSync(broken, fs.readFileSync(path.join(runDir, "interpret-1/interpret.json"), "utf8").slice(0, 500));
// An envelope of a schema the page does not know (as a study report is to this page): the generic tables.
fs.mkdirSync(path.join(runDir, "study"), { recursive: true });
fs.writeFileSync(path.join(runDir, "study/study.json"), JSON.stringify({ schema: "browser_test.unknown", schema_version: 1,
  results: { note: "generic view", rows: [{ model: "a", score: 0.5, details: { seeds: [1, 2] } }, { model: "b", score: 0.25 }],
             by_model: { a: { f1: 0.5 }, b: { f1: 0.25 } } } }));
const missing = path.join(work, "no-such-run");
const page = path.join(work, "report.html");
const out = run("report", runDir, path.join(here, "fixtures"), missing, "--out", page, "--title", "browser test");
check(/problems/.test(out) && fs.existsSync(page), `codessm report wrote the page (${out.trim()})`);
// Nothing usable at all: the page is still written (it says why) and the exit code is 2 (a data error).
const emptyPage = path.join(work, "empty.html");
let status = 0;
try { run("report", missing, "--out", emptyPage); } catch (e) { status = e.status; }
check(status === 2 && fs.existsSync(emptyPage), `no results: exit code ${status}, page written anyway`);
const kb = fs.statSync(page).size / 1024;
console.log(`inputs and page in ${((Date.now() - t0) / 1000).toFixed(1)} s, page ${kb.toFixed(0)} KiB`);

// ---- browser -----------------------------------------------------------------------------------------------
const browser = await chromium.launch({
  executablePath: chromiumPath, headless: true,
  // playwright gives every launch a fresh temporary profile (--user-data-dir) of its own.
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
try {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const tab = await ctx.newPage();
  const consoleErrors = [], network = [];
  tab.on("console", m => { if (m.type() === "error") consoleErrors.push(m.text()); });
  tab.on("pageerror", e => consoleErrors.push("page error: " + e.message));
  tab.on("request", r => { if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) network.push(r.url()); });
  await tab.goto(pathToFileURL(page).href);
  await tab.waitForSelector("body[data-rendered=true]", { timeout: 20000 });

  // Every section is there; those with inputs drew tables or charts and report no drawing failure.
  const sections = await tab.$$eval("section[data-section]", ss => ss.map(s => ({
    id: s.dataset.section, state: s.dataset.state, tables: s.querySelectorAll("table").length,
    charts: s.querySelectorAll(".chart canvas").length, drawFailures: [...s.querySelectorAll(".problems")].map(p => p.textContent)
      .filter(t => /could not be drawn/.test(t)) })));
  const byId = Object.fromEntries(sections.map(s => [s.id, s]));
  for (const id of ["inputs", "interpret", "compare", "probing", "training", "bench", "other"]) check(byId[id], `section ${id} present`);
  const expectCharts = { interpret: 2, compare: 2, probing: 2, training: 2, bench: 1 };
  for (const s of sections) {
    if (s.id === "inputs") continue;
    check(s.state === "filled", `section ${s.id} has results (state ${s.state})`);
    check(s.tables > 0 || s.charts > 0, `section ${s.id} drew ${s.tables} tables, ${s.charts} charts`);
    if (expectCharts[s.id]) check(s.charts >= expectCharts[s.id], `section ${s.id} has at least ${expectCharts[s.id]} charts`);
    check(s.drawFailures.length === 0, `section ${s.id} drew every document ${s.drawFailures.join(" | ")}`);
  }
  const problems = await tab.$$eval("[data-role=problems] li", ls => ls.map(l => l.textContent));
  check(problems.some(p => p.includes("broken/interpret.json") && /not valid JSON/.test(p)), "the truncated JSON file is named");
  check(problems.some(p => p.includes("no-such-run") && /does not exist/.test(p)), "the missing input is named");

  // A click on a grid cell shows that kernel: layer 1, backward, with its time and frequency plots.
  const cell = tab.locator('section[data-section=interpret] td.cell[data-layer="1"][data-direction="backward"]').first();
  await cell.click();
  const kernel = tab.locator("section[data-section=interpret] .kernel").first();
  const label = await kernel.getAttribute("data-kernel");
  check(label === "layer 1 backward k0", `the clicked cell's kernel is shown (${label})`);
  const titles = await kernel.locator(".chart .chart-title").allTextContents();
  check(titles.some(t => /time/.test(t)) && titles.some(t => /magnitude/.test(t)), `kernel plots: ${titles.join(", ")}`);
  check(await kernel.locator(".chart canvas").count() >= 2, "kernel plots are drawn on canvases");
  // The shown spectral centroid is the JSON's (the page computes nothing).
  const fidx = Number(await cell.getAttribute("data-filter"));
  const doc = await tab.evaluate(() => JSON.parse(document.getElementById("codessm-data").textContent).documents
    .find(d => d.kind === "interpret.kernels"));
  const sc = doc.data.results.filters[fidx].spectral_centroid;
  const shown = await kernel.locator("table").first().textContent();
  check(shown.includes(String(Number(sc.toPrecision(6)))), `kernel table shows SC ${sc}`);

  check(consoleErrors.length === 0, `no console errors ${consoleErrors.join(" | ")}`);
  check(network.length === 0, `no network requests ${network.join(" ")}`);

  // The screenshot is not blank: decode it in the page and count distinct colours and non-white pixels.
  const png = await tab.screenshot({ fullPage: true });
  if (args["keep-screenshot"]) fs.writeFileSync(args["keep-screenshot"], png);
  const stats = await tab.evaluate(async b64 => {
    const img = new Image();
    img.src = "data:image/png;base64," + b64;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.width; c.height = img.height;
    const g = c.getContext("2d");
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const colours = new Set();
    let ink = 0;
    for (let i = 0; i < d.length; i += 4 * 7) {
      colours.add((d[i] >> 3) << 10 | (d[i + 1] >> 3) << 5 | (d[i + 2] >> 3));
      if (d[i] + d[i + 1] + d[i + 2] < 700) ink++;
    }
    return { w: c.width, h: c.height, colours: colours.size, ink: ink / (d.length / 28) };
  }, png.toString("base64"));
  check(stats.colours > 50 && stats.ink > 0.03, `screenshot ${stats.w}x${stats.h} is not blank (${stats.colours} colours, ${(100 * stats.ink).toFixed(1)} % ink)`);
} finally {
  await browser.close();
}
console.log(`${failures.length ? "FAILED" : "passed"} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
process.exit(failures.length ? 1 : 0);
