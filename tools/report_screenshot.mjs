// Screenshot of a `codessm report` page in Debian's headless Chromium (for docs/): the page's top `height`
// pixels at 1280 px wide, after a click on grid cell `cell` (layer,direction) if given.
// Usage: node tools/report_screenshot.mjs report.html out.png [height=2400] [layer,direction]
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { chromium } = await import(pathToFileURL(path.join(root, "node_modules/playwright-core/index.mjs")).href);
const [page, out, height = "2400", cell] = process.argv.slice(2);
if (!page || !out) { console.error("usage: node tools/report_screenshot.mjs report.html out.png [height] [layer,direction]"); process.exit(2); }
const browser = await chromium.launch({ executablePath: process.env.CODESSM_CHROMIUM || "/usr/bin/chromium", headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"] });
try {
  const tab = await browser.newPage({ viewport: { width: 1280, height: Number(height) } });
  await tab.goto(pathToFileURL(path.resolve(page)).href);
  await tab.waitForSelector("body[data-rendered=true]", { timeout: 20000 });
  if (cell) {
    const [layer, dir] = cell.split(",");
    await tab.locator(`td.cell[data-layer="${layer}"][data-direction="${dir}"]`).first().click();
  }
  await tab.screenshot({ path: out });
} finally {
  await browser.close();
}
