// What tests/axe/check.mjs and tests/axe/drive.mjs share: how Chromium is found and started,
// how axe-core is run on a page and its violations reported, and how a page's layout is
// measured at narrow widths.

import { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";

import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
export const AXE = require.resolve("axe-core/axe.min.js");
export const BROWSER = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
// Without these, Chromium in a sandboxed container can hang on network look-ups at start.
export const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// Headless Chromium at BROWSER, started as both scripts start it.
export async function launch() {
  if (!existsSync(BROWSER)) throw new Error(`no Chromium at ${BROWSER} (set CHROMIUM_PATH)`);
  return chromium.launch({
    executablePath: BROWSER,
    headless: true,
    args: ARGS,
    timeout: 60_000,
  });
}

let axeSource = null;

// Make sure window.axe exists on the page. Evaluated through the DevTools protocol rather than
// as a script tag, so a page's Content-Security-Policy, or JavaScript being switched off for
// the page's own scripts, cannot keep axe out.
export async function injectAxe(page) {
  if (await page.evaluate(() => typeof window.axe !== "undefined")) return;
  axeSource ??= readFileSync(AXE, "utf8");
  await page.evaluate(axeSource);
}

// axe's findings on the page as it is now: each violation's id, impact, help, helpUrl, and
// for each node its html, target and failureSummary. `extraTags` switches on, in addition to
// axe's default rule set, every rule carrying one of those tags (axe leaves some off, such as
// WCAG 2.2 AA's target-size).
export async function violations(page, { extraTags = [] } = {}) {
  const results = await page.evaluate(
    (tags) => {
      const options = { resultTypes: ["violations"] };
      if (tags.length > 0) {
        options.rules = {};
        for (const rule of window.axe.getRules(tags)) options.rules[rule.ruleId] = { enabled: true };
      }
      return window.axe.run(document, options);
    },
    extraTags,
  );
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    helpUrl: violation.helpUrl,
    nodes: violation.nodes.map((node) => ({
      html: node.html,
      target: node.target,
      failureSummary: node.failureSummary,
    })),
  }));
}

// The widths to lay a page out at, in CSS pixels: WCAG's reflow width, and 200% zoom.
export const WIDTHS = [320, 640];

// How the page at `url` lays out, each width in a new page of `context`: `overflow` maps each
// width to how much wider than the window the page is (0: no sideways scrolling), and
// `first_tab` is the text of what the first Tab key press focuses (at the first width).
export async function layout(context, url) {
  const found = { overflow: {}, first_tab: null };
  for (const width of WIDTHS) {
    const page = await context.newPage();
    try {
      await page.setViewportSize({ width, height: 800 });
      await page.goto(url, { waitUntil: "load" });
      found.overflow[width] = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      if (found.first_tab === null) {
        await page.keyboard.press("Tab");
        found.first_tab = await page.evaluate(() => document.activeElement.textContent.trim());
      }
    } finally {
      await page.close();
    }
  }
  return found;
}
