// Drive a live web app in headless Chromium, step by step, as a person would.
//
//   node tests/axe/drive.mjs plan.json
//
// plan.json: {"base": "http://127.0.0.1:PORT", "javaScript": true,
//             "viewport": {"width": 1280, "height": 900}, "screenshots": "/abs/dir",
//             "steps": [{"do": "goto", "path": "/lead/login"}, ...]}
//
// Steps, each giving one result, in order:
//   goto {path}                   -> {url, status, title}   status: HTTP status of the page
//   fill {label, value}           -> {}   the form control whose accessible label is `label`
//   check {label}                 -> {}   tick that checkbox or radio button
//   select {label, value}         -> {}   choose an option (by value or by its text)
//   upload {label, file}          -> {}   attach that file to the file input
//   click {role, name}            -> {url, status, title}   by role and accessible name;
//                                          waits for any navigation it starts to load
//   press {key, times?}           -> {focused, url, title}   focused: {tag, text, name, outline}
//   type {text}                   -> {focused, url, title}   into whatever has focus
//   axe                           -> {violations}   axe's default rules plus WCAG 2.2 AA,
//                                          each as tests/axe/check.mjs reports it
//   layout                        -> {overflow320, overflow640, firstTab}   the current
//                                          address loaded afresh (GET) at 320 and 640 pixels
//   text                          -> {text}   the body's innerText
//   screenshot {file, fullPage?}  -> {file}   fullPage defaults to true
//   waitForText {text, timeout?}  -> {}   until the body's text contains `text` and the page has loaded
//   cookies                       -> {cookies: [{name, httpOnly, sameSite, secure, path}]}
// Labels, names and roles match exactly. Any step may carry "timeout" (milliseconds) for how
// long it waits for what it needs; otherwise 5 s for an element, 30 s for a page load.
//
// focused: the element's tag, its text (trimmed innerText, or a form control's value, at most
// 80 characters), its accessible name as far as aria-label, aria-labelledby, a <label>, its
// text, title, alt or placeholder give it, and whether it shows focus (an outline that is not
// 'none' and has width, or a box-shadow); with nothing focused, tag "body" and the rest empty.
//
// All steps share one browser context, so cookies persist. With "javaScript": false the whole
// plan runs with the page's own scripts switched off (axe then checks a copy of the page: see
// axe() below). Requests anywhere but the base origin are refused.
//
// Prints one JSON object: {"ok": bool, "results": [...], "error": {...} | null}. The plan stops
// at the first step that fails, and `error` says which (index, step), why (message), where
// (url, title), what the page said (text) and, with "screenshots", a picture of it (screenshot).
// The exit status is 0 whenever the plan ran, even when a step failed; it is 2 only when the
// tool itself failed (no browser, an unreadable or malformed plan), with the reason on stderr.

import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";

import { injectAxe, launch, layout, violations } from "./browser.mjs";

const ACTION_TIMEOUT = 5_000;
const NAVIGATION_TIMEOUT = 30_000;
const WAIT_FOR_TEXT_TIMEOUT = 5_000;
// However long a step waits for what it needs, it is given up on after this much longer.
const STEP_TIMEOUT = 90_000;
// What axe runs here beyond its default rule set (which leaves WCAG 2.2's target-size off).
const EXTRA_AXE_TAGS = ["wcag22aa"];

// Each step's required fields, and their types.
const STEPS = {
  goto: { path: "string" },
  fill: { label: "string", value: "string" },
  check: { label: "string" },
  select: { label: "string", value: "string" },
  upload: { label: "string", file: "string" },
  click: { role: "string", name: "string" },
  press: { key: "string" },
  type: { text: "string" },
  axe: {},
  layout: {},
  text: {},
  screenshot: { file: "string" },
  waitForText: { text: "string" },
  cookies: {},
};

function readPlan(file) {
  if (!file) throw new Error("usage: node drive.mjs plan.json");
  const plan = JSON.parse(readFileSync(file, "utf8"));
  const base = new URL(plan.base);
  if (base.protocol !== "http:" && base.protocol !== "https:") {
    throw new Error(`plan.base must be an http(s) address, not ${plan.base}`);
  }
  if (!Array.isArray(plan.steps)) throw new Error("plan.steps must be a list");
  plan.steps.forEach((step, index) => {
    const fields = STEPS[step && step.do];
    if (!fields) throw new Error(`step ${index}: unknown "do": ${JSON.stringify(step)}`);
    for (const [field, type] of Object.entries(fields)) {
      if (typeof step[field] !== type) {
        throw new Error(`step ${index} (${step.do}) needs "${field}" (${type}): ${JSON.stringify(step)}`);
      }
    }
  });
  return plan;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Follows the page's main-frame navigations: the HTTP status of the latest document, and,
// around an action, whether the action started a navigation that has yet to arrive.
class Navigations {
  constructor(page) {
    this.page = page;
    this.status = null;
    this.pending = new Set();
    this.committed = 0;
    const mine = (request) => request.isNavigationRequest() && request.frame() === page.mainFrame();
    page.on("request", (request) => mine(request) && this.pending.add(request));
    page.on("requestfinished", (request) => this.pending.delete(request));
    page.on("requestfailed", (request) => this.pending.delete(request));
    page.on("response", (response) => {
      if (mine(response.request())) this.status = response.status();
    });
    page.on("framenavigated", (frame) => frame === page.mainFrame() && this.committed++);
  }

  // Run `action`, then wait until any navigation it started has loaded.
  async around(action, timeout = NAVIGATION_TIMEOUT) {
    const committed = this.committed;
    await action();
    const deadline = Date.now() + timeout;
    // A moment for a navigation the action set off (a form's submit, say) to show itself.
    await sleep(50);
    while (this.committed === committed && this.pending.size > 0) {
      if (Date.now() > deadline) throw new Error(`the page did not load within ${timeout} ms`);
      await sleep(25);
    }
    await this.page.waitForLoadState("load", { timeout: Math.max(deadline - Date.now(), 1) });
  }
}

async function where(page, navigations) {
  return { url: page.url(), status: navigations.status, title: await page.title() };
}

// What has keyboard focus, and whether it shows that it has.
async function focused(page) {
  const found = await page.evaluate(() => {
    const element = document.activeElement || document.body;
    const words = (text) => (text || "").replace(/\s+/g, " ").trim();
    const style = getComputedStyle(element);
    const outline =
      (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) ||
      (style.boxShadow !== "" && style.boxShadow !== "none");
    // Nothing has focus: the body stands in, and its text would be the whole page's.
    if (element === document.body || element === document.documentElement) {
      return { tag: element.tagName.toLowerCase(), text: "", name: "", outline: false };
    }
    const formControl = ["INPUT", "TEXTAREA", "SELECT"].includes(element.tagName);
    const text = formControl ? words(element.value) : words(element.innerText);
    const labelledBy = (element.getAttribute("aria-labelledby") || "")
      .split(/\s+/)
      .map((id) => document.getElementById(id))
      .filter(Boolean)
      .map((label) => label.innerText)
      .join(" ");
    const labels = element.labels ? Array.from(element.labels, (label) => label.innerText).join(" ") : "";
    const name =
      words(element.getAttribute("aria-label")) ||
      words(labelledBy) ||
      words(labels) ||
      (formControl && element.type !== "submit" && element.type !== "button" ? "" : text) ||
      words(element.getAttribute("title")) ||
      words(element.getAttribute("alt")) ||
      words(element.getAttribute("placeholder"));
    return {
      tag: element.tagName.toLowerCase(),
      text: text.slice(0, 80),
      name,
      outline,
    };
  });
  return { focused: found, url: page.url(), title: await page.title() };
}

// axe's findings on the page as it is now. axe needs timers, which do not run while the page's
// scripts are off; then it runs on a copy of the page in a second context with scripts on, but
// every script of the page's own refused by a Content-Security-Policy (`noscript` content, shown
// with scripts off, is unwrapped in the copy so that it is still there).
async function axe(page, context, plan) {
  if (plan.javaScript !== false) {
    await injectAxe(page);
    return violations(page, { extraTags: EXTRA_AXE_TAGS });
  }
  const copy = await page.evaluate(() => {
    const root = document.documentElement.cloneNode(true);
    for (const noscript of root.querySelectorAll("noscript")) noscript.replaceWith(...noscript.childNodes);
    const doctype = document.doctype ? `<!DOCTYPE ${document.doctype.name}>` : "";
    return doctype + root.outerHTML;
  });
  const address = page.url().split("#")[0];
  const origin = new URL(address).origin;
  const browser = context.browser();
  const viewport = page.viewportSize();
  const scripted = await browser.newContext(viewport ? { viewport } : {});
  try {
    await scripted.addCookies(await context.cookies());
    await scripted.route("**/*", (route) => {
      const url = route.request().url();
      if (url.split("#")[0] === address && route.request().isNavigationRequest()) {
        return route.fulfill({
          status: 200,
          contentType: "text/html; charset=utf-8",
          headers: { "Content-Security-Policy": "script-src 'none'" },
          body: copy,
        });
      }
      return sameOrigin(url, origin) ? route.continue() : route.abort();
    });
    const copyPage = await scripted.newPage();
    await copyPage.goto(address, { waitUntil: "load" });
    await injectAxe(copyPage);
    return await violations(copyPage, { extraTags: EXTRA_AXE_TAGS });
  } finally {
    await scripted.close();
  }
}

function sameOrigin(url, origin) {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false; // Not a URL with an origin.
  }
}

// A step that never settles (a script that never returns) fails rather than hangs the plan.
function withDeadline(promise, step) {
  const limit = (step.timeout ?? 0) + STEP_TIMEOUT;
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the step did not finish within ${limit} ms`)), limit);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

async function bodyText(page) {
  return page.evaluate(() => (document.body ? document.body.innerText : ""));
}

async function run(step, { page, context, navigations, plan }) {
  const timeout = step.timeout;
  switch (step.do) {
    case "goto": {
      const url = new URL(step.path, navigations.base).href;
      const response = await page.goto(url, { waitUntil: "load", timeout });
      if (response) navigations.status = response.status();
      return where(page, navigations);
    }
    case "fill":
      await page.getByLabel(step.label, { exact: true }).fill(step.value, { timeout });
      return {};
    case "check":
      await page.getByLabel(step.label, { exact: true }).check({ timeout });
      return {};
    case "select":
      await page.getByLabel(step.label, { exact: true }).selectOption(step.value, { timeout });
      return {};
    case "upload":
      await page.getByLabel(step.label, { exact: true }).setInputFiles(step.file, { timeout });
      return {};
    case "click": {
      const target = page.getByRole(step.role, { name: step.name, exact: true });
      await navigations.around(() => target.click({ timeout }), timeout);
      return where(page, navigations);
    }
    case "press": {
      const times = step.times ?? 1;
      await navigations.around(async () => {
        for (let press = 0; press < times; press++) await page.keyboard.press(step.key);
      }, timeout);
      return focused(page);
    }
    case "type":
      await navigations.around(() => page.keyboard.type(step.text), timeout);
      return focused(page);
    case "axe":
      return { violations: await axe(page, context, plan) };
    case "layout": {
      const found = await layout(context, page.url());
      return { overflow320: found.overflow[320], overflow640: found.overflow[640], firstTab: found.first_tab };
    }
    case "text":
      return { text: await bodyText(page) };
    case "screenshot":
      mkdirSync(path.dirname(step.file), { recursive: true });
      await page.screenshot({ path: step.file, fullPage: step.fullPage ?? true, timeout });
      return { file: step.file };
    case "waitForText": {
      // Polled from here rather than in the page, so it works with the page's scripts off.
      const limit = timeout ?? WAIT_FOR_TEXT_TIMEOUT;
      const deadline = Date.now() + limit;
      while (!(await bodyText(page)).includes(step.text)) {
        if (Date.now() > deadline) throw new Error(`"${step.text}" did not appear within ${limit} ms`);
        await sleep(100);
      }
      // The text shows while the page is still loading; the browser sets where the next Tab
      // starts (a #fragment's target) only once it has loaded, so wait for that as well.
      await page.waitForLoadState("load", { timeout: Math.max(deadline - Date.now(), 1) });
      return {};
    }
    case "cookies":
      return {
        cookies: (await context.cookies()).map((cookie) => ({
          name: cookie.name,
          httpOnly: cookie.httpOnly,
          sameSite: cookie.sameSite,
          secure: cookie.secure,
          path: cookie.path,
        })),
      };
  }
  throw new Error(`unknown step: ${JSON.stringify(step)}`);
}

// What the page looked like when a step failed; every part is best effort.
async function failure(page, plan, index, step, error, pageErrors) {
  const failed = {
    index,
    step,
    // Without the terminal colours Playwright puts in its call logs.
    message: String((error && error.message) || error)
      .replace(/\u001b\[[0-9;]*m/g, "")
      .slice(0, 4000),
    url: page.url(),
    title: null,
    text: null,
    screenshot: null,
    pageErrors: pageErrors.slice(-10),
  };
  try {
    failed.title = await page.title();
    failed.text = (await bodyText(page)).slice(0, 4000);
  } catch {
    // The page may be gone; the message says why.
  }
  if (plan.screenshots) {
    try {
      mkdirSync(plan.screenshots, { recursive: true });
      const file = path.resolve(plan.screenshots, `step-${index}-${step.do}.png`);
      await page.screenshot({ path: file, fullPage: true, timeout: ACTION_TIMEOUT });
      failed.screenshot = file;
    } catch {
      // As above.
    }
  }
  return failed;
}

async function main(args) {
  const plan = readPlan(args[0]);
  const origin = new URL(plan.base).origin;
  const browser = await launch();
  try {
    const context = await browser.newContext({
      javaScriptEnabled: plan.javaScript ?? true,
      viewport: plan.viewport ?? { width: 1280, height: 900 },
    });
    context.setDefaultTimeout(ACTION_TIMEOUT);
    context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT);
    await context.route("**/*", (route) =>
      sameOrigin(route.request().url(), origin) ? route.continue() : route.abort(),
    );
    const page = await context.newPage();
    const pageErrors = [];
    page.on("pageerror", (error) => pageErrors.push(String(error && error.message)));
    const navigations = new Navigations(page);
    navigations.base = plan.base;
    const results = [];
    for (const [index, step] of plan.steps.entries()) {
      try {
        results.push(await withDeadline(run(step, { page, context, navigations, plan }), step));
      } catch (error) {
        return { ok: false, results, error: await failure(page, plan, index, step, error, pageErrors) };
      }
    }
    return { ok: true, results, error: null };
  } finally {
    await browser.close();
  }
}

try {
  const outcome = await main(process.argv.slice(2));
  process.stdout.write(JSON.stringify(outcome, null, 2) + "\n");
} catch (error) {
  process.stderr.write(`browser driver failed: ${error && error.stack ? error.stack : error}\n`);
  process.exit(2);
}
