// One grammar for segment-ID lists (issue 14 §2): the same table of inputs goes to the server, as
// a /v/ link's ?segments=, and through the gallery's link builder in Chromium (the bundled
// browser code), and both must read the same IDs, or refuse with the same messages.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseNeuroglancerUrl } from "../../src/domain/neuroglancer-url.js";
import { type ServedApp, startServedApp } from "../helpers/app.js";
import { browserAvailable, launchBrowser } from "../helpers/browser.js";

const BIG = "9007199254740993"; // 2^53 + 1: a double would read it as ...992
const MAX = "18446744073709551615";

/** What a list must read as: the IDs sent, or the messages of a refusal. */
type Expected = { ids: string[] } | { errors: string[] };

const CASES: [string, Expected][] = [
  ["", { ids: [] }],
  ["1,2 3", { ids: ["1", "2", "3"] }],
  ["1+2+3", { ids: ["1", "2", "3"] }],
  ["4;5\n6\r\n7\t8", { ids: ["4", "5", "6", "7", "8"] }],
  [`["${BIG}", "${MAX}"]`, { ids: [BIG, MAX] }],
  ["(1, 2)", { ids: ["1", "2"] }],
  ["5 6 5", { ids: ["5", "6"] }],
  ["1,2,3\n4,5,6", { ids: ["1", "2", "3", "4", "5", "6"] }],
  ["segment_id\n101\n102 103", { ids: ["101", "102", "103"] }],
  ["\uFEFFsegment_id\r\n7\r\n8\r\n", { ids: ["7", "8"] }],
  ["segment_id,size,type\n101,5.5,pyramidal\n102,7,basket", { ids: ["101", "102"] }],
  ["root_id\tvolume\n101\t5.5\n102\t7", { ids: ["101", "102"] }],
  ["root_id;volume\n101;5,5\n102;7,0", { ids: ["101", "102"] }],
  ['"id","name"\n"101","a, b"\n"102",x', { ids: ["101", "102"] }],
  ["101, 102, 12a", { errors: ['"12a" (item 3) is not a segment ID: use decimal digits only'] }],
  [
    "18446744073709551616",
    { errors: [`"18446744073709551616" (item 1) is too large: segment IDs go up to ${MAX}`] },
  ],
  ["007", { errors: ['"007" (item 1) is not a segment ID: remove the leading zeros (7)'] }],
  [
    "-5\n6",
    { errors: ['"-5" (item 1, line 1) is not a segment ID: segment IDs are never negative'] },
  ],
  [
    "0x1F",
    { errors: ['"0x1F" (item 1) is not a segment ID: write it in decimal, not hexadecimal'] },
  ],
  [
    "segment_id",
    { errors: ['"segment_id" (item 1) is not a segment ID: use decimal digits only'] },
  ],
  [
    "id,size\n101,1\n1O2,2",
    { errors: ['"1O2" (item 2, line 3) is not a segment ID: use decimal digits only'] },
  ],
];

let served: ServedApp;
beforeAll(async () => {
  served = await startServedApp();
});
afterAll(() => served?.close());

/** The server's reading: the segments of the state a /v/ link builds, or its 400 issues. */
async function readByServer(input: string): Promise<Expected> {
  const url = `${served.url}/v/e11-prism/overview?segments=${encodeURIComponent(input)}`;
  const response = await fetch(url, { headers: { accept: "application/json" } });
  if (response.status === 400) {
    const body = (await response.json()) as { issues: { path: string; message: string }[] };
    expect(body.issues.every((issue) => issue.path === "segments")).toBe(true);
    return { errors: body.issues.map((issue) => issue.message) };
  }
  expect(response.status, input).toBe(200);
  const answer = (await response.json()) as { url: string; state: unknown };
  // The viewer URL carries the same state inline.
  const parsed = parseNeuroglancerUrl(answer.url);
  if (!parsed.ok || parsed.kind !== "inline") throw new Error(`not an inline state: ${input}`);
  expect(parsed.state).toEqual(answer.state);
  const layers = (answer.state as { layers: { name: string; segments?: string[] }[] }).layers;
  return { ids: layers.find((layer) => layer.name === "dense_seg")?.segments ?? [] };
}

describe("segment-ID lists on the server (/v/ links)", () => {
  it.each(CASES)("reads %j", async (input, expected) => {
    expect(await readByServer(input)).toEqual(expected);
  });

  it("reads ?hidden= by the same rules", async () => {
    const url = `${served.url}/v/e11-prism/overview?hidden=${encodeURIComponent("1+2, 12a")}`;
    const response = await fetch(url, { headers: { accept: "application/json" } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      issues: [
        { path: "hidden", message: '"12a" (item 3) is not a segment ID: use decimal digits only' },
      ],
    });
  });
});

const available = browserAvailable();

describe.skipIf(!available)(
  "the same lists in the gallery, in Chromium (skipped when it is not installed)",
  () => {
    let browser: Browser;
    let page: Page;
    /** The body of each POST /api/links the form sent. */
    const sent: { segments?: string[] }[] = [];

    beforeAll(async () => {
      browser = await launchBrowser();
      page = await browser.newPage();
      page.on("request", (request) => {
        if (request.method() === "POST" && request.url() === `${served.url}/api/links`)
          sent.push(request.postDataJSON() as { segments?: string[] });
      });
      await page.goto(`${served.url}/gallery`);
      await page.waitForSelector("body[data-ready='true']");
      await page.selectOption("#dataset", "e11-prism");
      await page.selectOption("#view", "overview");
    });
    afterAll(() => browser?.close());

    /** The form's reading: the IDs it sent, or the problems it showed without sending anything. */
    async function readByGallery(input: string): Promise<Expected> {
      const before = sent.length;
      await page.fill("#segments", input);
      await page.click("#create-link");
      // The form checks the list before it sends: problems are shown by the time the click returns.
      const errors = await page.locator("#form-errors li").allTextContents();
      if (errors.length > 0) return { errors };
      // Generous: on a busy machine Chromium and the server are slow, not wrong.
      await page.locator("#short-url").waitFor({ timeout: 30_000 });
      expect(sent.length, input).toBe(before + 1);
      return { ids: sent[before]?.segments ?? [] };
    }

    it("reads every input of the table as the server does", async () => {
      for (const [input, expected] of CASES) {
        expect(await readByGallery(input), JSON.stringify(input)).toEqual(expected);
        expect(await readByServer(input), JSON.stringify(input)).toEqual(expected);
      }
      // One browser round trip per case: allow for a busy machine.
    }, 180_000);

    it("says which column of a table it read", async () => {
      await page.fill("#segments", "segment_id,size,type\n101,5.5,pyramidal\n102,7,basket");
      await expect
        .poll(() => page.locator("#segments-count").textContent())
        .toBe(
          "2 segment IDs; header line “segment_id,size,type” skipped; column 1 (segment_id) of 3 read.",
        );
    });
  },
);
