// Opens a concbench report in headless Chromium, takes a screenshot, and
// prints what the CLI tests check as JSON: console errors, page errors,
// requests that left the file, the size of every chart's SVG, and how long
// the page took to load and paint (paintMs, from navigation to the second
// animation frame after load).
// Usage: node check-report.mjs REPORT.html SCREENSHOT.png
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const [report, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const found = { consoleErrors: [], pageErrors: [], requests: [], svgs: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const url = pathToFileURL(resolve(report)).href;
  page.on('console', (m) => { if (m.type() === 'error') found.consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => found.pageErrors.push(String(e)));
  page.on('request', (r) => { if (r.url() !== url) found.requests.push(r.url()); });
  const began = Date.now();
  await page.goto(url, { waitUntil: 'load' });
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  found.paintMs = Date.now() - began;
  found.svgs = await page.$$eval('figure svg', (svgs) => svgs.map((s) => {
    const box = s.getBoundingClientRect();
    return { id: s.closest('figure')?.id || '', width: box.width, height: box.height };
  }));
  found.title = await page.title();
  await page.screenshot({ path: screenshot, fullPage: true });
} finally {
  await browser.close();
}
console.log(JSON.stringify(found));
