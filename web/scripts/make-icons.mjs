// Renders public/icons/icon.svg into the PNG icons the web manifest lists.
// Run once after changing the SVG: node scripts/make-icons.mjs
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const svg = readFileSync(new URL('../public/icons/icon.svg', import.meta.url), 'utf8');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();
for (const [size, maskable] of [[192, false], [512, false], [512, true]]) {
  await page.setViewportSize({ width: size, height: size });
  const pad = maskable ? Math.round(size * 0.1) : 0;
  const inner = maskable ? svg.replace('rx="14"', 'rx="0"') : svg;
  await page.setContent(
    `<html><body style="margin:0;background:${maskable ? '#1f4e8c' : 'transparent'}"><div style="padding:${pad}px;width:${size}px;height:${size}px;box-sizing:border-box">${inner.replace('<svg ', `<svg width="${size - 2 * pad}" height="${size - 2 * pad}" `)}</div></body></html>`,
  );
  const name = maskable ? `icon-maskable-${size}.png` : `icon-${size}.png`;
  await page.screenshot({ path: new URL(`../public/icons/${name}`, import.meta.url).pathname, omitBackground: !maskable });
}
await browser.close();
