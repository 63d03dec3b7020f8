// Check HTML files with axe-core in headless Chromium.
//
//   node tests/axe/check.mjs one.html two.html
//   node tests/axe/check.mjs --layout one.html two.html
//
// Prints one JSON object: each file (as given) -> its axe violations (id, impact, help,
// helpUrl, and for each node its html, target and failureSummary). axe runs its default rule
// set: WCAG 2.x A and AA plus best practices. Violations are the caller's to judge, so the
// exit status is 0 whenever every file was checked; it is 2 only when the tool itself failed
// (no browser, a file that cannot be read, axe not loaded), with the reason on stderr.
//
// With --layout, each file instead maps to how it lays out: for a window 320 CSS pixels wide
// and one of 640 (a 1280-pixel window at 200% zoom), how much wider than the window the page
// is (0: no sideways scrolling), and the text of what the first Tab key press focuses.
//
// The browser is CHROMIUM_PATH, else /usr/bin/chromium. Every request other than the file
// itself is refused, so a page can never reach the network or wait on it.

import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { AXE, launch, layout, violations } from "./browser.mjs";

function fileUrl(file) {
  return pathToFileURL(path.resolve(file)).href;
}

async function check(page, file) {
  await page.goto(fileUrl(file), { waitUntil: "load" });
  return violations(page);
}

async function main(args) {
  const measureLayout = args[0] === "--layout";
  const files = measureLayout ? args.slice(1) : args;
  if (files.length === 0) {
    throw new Error("usage: node check.mjs [--layout] FILE.html [FILE.html ...]");
  }
  for (const file of files) {
    if (!existsSync(file)) throw new Error(`no such file: ${file}`);
  }
  const browser = await launch();
  try {
    const context = await browser.newContext();
    // Into every page before it loads: quicker than a script tag after each load.
    await context.addInitScript({ path: AXE });
    await context.route("**/*", (route) =>
      route.request().url().startsWith("file:") ? route.continue() : route.abort(),
    );
    const found = {};
    if (measureLayout) {
      for (const file of files) found[file] = await layout(context, fileUrl(file));
      return found;
    }
    const page = await context.newPage();
    for (const file of files) {
      found[file] = await check(page, file);
    }
    return found;
  } finally {
    await browser.close();
  }
}

try {
  const found = await main(process.argv.slice(2));
  process.stdout.write(JSON.stringify(found, null, 2) + "\n");
} catch (error) {
  process.stderr.write(`axe check failed: ${error && error.stack ? error.stack : error}\n`);
  process.exit(2);
}
