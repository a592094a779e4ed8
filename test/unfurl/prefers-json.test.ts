// The one rule that decides whether a link page answers JSON: a client gets JSON only when its
// Accept ranks a JSON type above text/html. Everything crawlers, browsers and HTTP libraries
// send by default gets the page.
import { describe, expect, it } from "vitest";
import { acceptPrefersJson } from "../../src/plugins/app/viewer-page.js";

describe("acceptPrefersJson", () => {
  it.each([
    ["no Accept", undefined],
    ["an empty Accept", ""],
    ["open-graph-scraper", "text/html"],
    ["unfurl.js", "text/html, application/xhtml+xml"],
    ["axios (html-metadata-parser)", "application/json, text/plain, */*"],
    ["Node's fetch, curl", "*/*"],
    ["a browser", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"],
    ["JSON tied with text/*", "application/json, text/*"],
    ["JSON tied with text/html", "application/json;q=0.5, text/html;q=0.5"],
    ["JSON refused", "application/json;q=0, text/plain"],
    ["a JSON wildcard only", "application/*"],
    ["a JSON-ish type that is not JSON", "application/x-ndjson"],
    ["HTML ranked above JSON", "application/json;q=0.8, text/html"],
    ["HTML's invalid qvalue read as 1", "application/json;q=0.5, text/html;q=2"],
  ])("gives the page to %s", (_who, accept) => {
    expect(acceptPrefersJson(accept)).toBe(false);
  });

  it.each([
    ["application/json", "application/json"],
    ["with parameters and odd case", "Application/JSON; charset=utf-8"],
    ["a +json type", "application/ld+json"],
    ["JSON above the wildcard", "application/json, */*;q=0.1"],
    ["JSON without any HTML range", "application/json, text/plain"],
    ["text/html explicitly lower", "text/html;q=0.1, application/json"],
    ["text/html refused, */* allowed", "application/json;q=0.9, */*, text/html;q=0"],
    ["an invalid qvalue read as 1", "application/json;q=2, text/html;q=0.5"],
  ])("gives JSON to %s", (_who, accept) => {
    expect(acceptPrefersJson(accept)).toBe(true);
  });
});
