// Screenshot of a `codessm report` page in Debian's headless Chromium (for docs/): the top `--height` pixels at
// 1280 px wide, or one section (`--section interpret|compare|probing|training|bench|other`), after a click on
// the class-grid cell `--click LAYER,DIRECTION` if given.
// Usage: node tools/report_screenshot.mjs report.html out.png [--height 2400] [--section ID] [--click 1,backward]
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { chromium } = await import(pathToFileURL(path.join(root, "node_modules/playwright-core/index.mjs")).href);
const argv = process.argv.slice(2);
const opt = name => { const i = argv.indexOf("--" + name); return i >= 0 ? argv[i + 1] : undefined; };
const [page, out] = argv.filter((a, i) => !a.startsWith("--") && !(i > 0 && argv[i - 1].startsWith("--")));
if (!page || !out) {
  console.error("usage: node tools/report_screenshot.mjs report.html out.png [--height N] [--section ID] [--click LAYER,DIR]");
  process.exit(2);
}
const browser = await chromium.launch({ executablePath: process.env.CODESSM_CHROMIUM || "/usr/bin/chromium", headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"] });
try {
  const tab = await browser.newPage({ viewport: { width: 1280, height: Number(opt("height") || 2400) } });
  await tab.goto(pathToFileURL(path.resolve(page)).href);
  await tab.waitForSelector("body[data-rendered=true]", { timeout: 20000 });
  if (opt("click")) {
    const [layer, dir] = opt("click").split(",");
    await tab.locator(`td.cell[data-layer="${layer}"][data-direction="${dir}"]`).first().click();
  }
  if (opt("section")) await tab.locator(`section[data-section="${opt("section")}"]`).screenshot({ path: out });
  else await tab.screenshot({ path: out });
} finally {
  await browser.close();
}
