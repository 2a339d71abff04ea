// Browser test of the upload page: open `fergan serve` in Debian's chromium, upload a photo, check that every face
// gets a label with a known emotion and probability bars, and save a screenshot.
// With a fifth argument, a file over the server's upload limit: the page must refuse it before sending, naming the limit.
// Usage: node upload.mjs <server-url> <photo> <expected-faces> <screenshot.png> [file-over-the-limit]
// Exit code 0 when every check passes; otherwise the failed check is printed to stderr.
import { chromium } from "playwright-core";

const [url, photo, expectedFaces, screenshot, tooLarge] = process.argv.slice(2);
const emotions = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"];

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  // Root in CI needs --no-sandbox; the background-networking flags stop chromium calling out of a closed network.
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url, { waitUntil: "networkidle" });
  check((await page.title()).includes("Fergan"), "the upload page did not load");

  await page.setInputFiles("#file", photo);
  await page.waitForSelector(".face-label", { timeout: 30000 });
  const labels = await page.$$eval(".face-label", (nodes) => nodes.map((n) => n.textContent.trim()));
  check(labels.length === Number(expectedFaces), `expected ${expectedFaces} face labels, got ${labels.length}: ${labels.join(" | ")}`);
  for (const label of labels) {
    const emotion = label.replace(/^\d+\.\s*/, "");
    check(emotions.includes(emotion), `label '${label}' does not name an emotion`);
  }
  const bars = await page.$$eval(".face-card .bar", (nodes) => nodes.length);
  check(bars === labels.length * emotions.length, `expected ${labels.length * emotions.length} probability bars, got ${bars}`);
  // Each face's most probable emotion must have a visibly filled bar (the fill is a sized block, not an empty span).
  const fills = await page.$$eval(".face-card .bar:first-of-type .fill", (nodes) => nodes.map((n) => n.getBoundingClientRect().width));
  check(fills.length === labels.length && fills.every((w) => w > 10), `top probability bars are not drawn (widths ${fills.join(", ")})`);
  const status = await page.textContent("#status");
  check(status.includes(`${expectedFaces} faces`), `status line says '${status}'`);
  // The canvas must hold the photo (not a blank canvas): sample its pixels.
  const distinct = await page.$eval("#canvas", (c) => {
    const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let i = 0; i < data.length; i += 4 * 997) seen.add(data[i] >> 4 | (data[i + 1] >> 4) << 4 | (data[i + 2] >> 4) << 8);
    return seen.size;
  });
  check(distinct > 50, `the result canvas looks blank (${distinct} distinct colours)`);
  check(errors.length === 0, `page errors: ${errors.join("; ")}`);
  await page.screenshot({ path: screenshot, fullPage: true });
  let refused = null;
  if (tooLarge) {
    let posted = 0;
    page.on("request", (r) => { if (r.url().includes("/api/predict")) posted++; });
    await page.setInputFiles("#file", tooLarge);
    await page.waitForFunction(() => document.querySelector("#status").textContent.includes("limit"), null, { timeout: 10000 });
    refused = await page.textContent("#status");
    check(/over the server's limit of 1\.0 MB/.test(refused), `the oversized file got '${refused}'`);
    check(posted === 0, `the oversized file was sent anyway (${posted} requests)`);
    check(await page.$eval("#status", (n) => n.classList.contains("error")), "the refusal is not shown as an error");
  }
  console.log(JSON.stringify({ labels, bars, status, distinct, refused }));
} finally {
  await browser.close();
}
