// The /status page of a running netra in a real browser (Debian's chromium, driven by
// puppeteer-core): opens URL, waits until the page has drawn the feed (or asked for a sign-in),
// and prints one JSON object with what a person would see — the overall badge, each component's
// row, the start-up chart, the problem banner, the sign-in form — plus every console error, page
// error and failed request. Keeps a screenshot at laptop and at phone size when SCREENSHOTS names
// a folder. tests/browser/status_browser_test.py asserts on the output.
//   URL=http://127.0.0.1:PORT/status#token=... [SCREENSHOTS=dir] [NAME=label] node status_page.mjs
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const url = process.env.URL;
const browserPath = process.env.CHROMIUM || '/usr/bin/chromium';
const screenshots = process.env.SCREENSHOTS || '';
const name = process.env.NAME || 'status';
if (!url) {
  console.error('URL is required');
  process.exit(2);
}

const browser = await puppeteer.launch({
  executablePath: browserPath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
const problems = [];
try {
  const page = await browser.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push('console: ' + message.text());
  });
  page.on('pageerror', (error) => problems.push('page error: ' + error.message));
  page.on('requestfailed', (request) => {
    problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
  });
  await page.setViewport({width: 1366, height: 900});
  await page.goto(url, {waitUntil: 'load', timeout: 30000});
  // Drawn: the badge says something other than "loading…" (the feed answered, or sign-in).
  await page.waitForFunction(
      () => document.getElementById('overall').textContent !== 'loading…', {timeout: 20000});
  const seen = await page.evaluate(() => {
    const rows = [...document.querySelectorAll('#components tbody tr')].map((row) => {
      const cells = [...row.querySelectorAll('td')].map((cell) => cell.textContent.trim());
      return {className: row.className, name: cells[0], state: cells[2], error: cells[5] || ''};
    });
    const background = (selector) => {
      const node = document.querySelector(selector);
      return node ? getComputedStyle(node).backgroundColor : null;
    };
    return {
      overall: document.getElementById('overall').textContent,
      overallClass: document.getElementById('overall').className,
      signInShown: !document.getElementById('sign-in').hidden,
      signInWhy: document.getElementById('sign-in-why').textContent,
      bannerShown: !document.getElementById('problem').hidden,
      banner: document.getElementById('problem').textContent,
      components: rows,
      degradedRowBackground: background('#components tr.degraded'),
      readyRowBackground: background('#components tr.ready'),
      ganttBars: document.querySelectorAll('#gantt rect').length,
      startupSummary: document.getElementById('startup-summary').textContent,
      loops: document.querySelectorAll('#loops tbody tr').length,
      problemsListed: document.querySelectorAll('#problems li').length,
      warnings: [...document.querySelectorAll('#warnings li')].map((li) => li.textContent),
      hashAfter: location.hash,
    };
  });
  seen.tokenKept = await page.evaluate(() => sessionStorage.getItem('netra.status.token') !== null);
  if (screenshots) {
    await page.screenshot({path: path.join(screenshots, `${name}-laptop.png`), fullPage: true});
  }
  // A phone: nothing may be wider than the screen (tables scroll inside their own box).
  await page.setViewport({width: 390, height: 844, isMobile: true, hasTouch: true});
  await new Promise((resolve) => setTimeout(resolve, 300));
  seen.phoneOverflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth);
  if (screenshots) {
    await page.screenshot({path: path.join(screenshots, `${name}-phone.png`), fullPage: true});
  }
  seen.problems = problems;
  console.log(JSON.stringify(seen));
} finally {
  await browser.close();
}
