// `nglaunch validate`: files, stdin, Neuroglancer URLs (inline and remote, fetched from a real
// loopback server), and numbers above 2^53 refused rather than rounded.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stateUrl } from "../../src/domain/neuroglancer-url.js";
import { type FixtureServer, startFixtureServer } from "../helpers/fixture-server.js";
import { runCli } from "./run-cli.js";

const VALID_STATE = {
  title: "two cells",
  layers: [
    {
      type: "segmentation",
      name: "seg",
      source: "precomputed://s3://e11bio-prism/ls/images/precomputed/dense_seg",
      segments: ["18446744073709551615", "42"],
    },
  ],
  layout: "xy",
};

let work: string;
let server: FixtureServer;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "nglaunch-cli-validate-"));
  writeFileSync(join(work, "valid.json"), JSON.stringify(VALID_STATE));
  server = await startFixtureServer(work);
});
afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

describe("nglaunch validate", () => {
  it("exits 0 on a valid state file", async () => {
    const result = await runCli(["validate", join(work, "valid.json")]);
    expect(result).toEqual({ code: 0, stdout: `${join(work, "valid.json")}: valid\n`, stderr: "" });
  });

  it("exits 1 on an invalid file, listing errors and warnings with their paths", async () => {
    const bad = file(
      "bad.json",
      JSON.stringify({
        layers: [{ ...VALID_STATE.layers[0], segments: ["1", "-5"], frob: 1 }],
        layout: "xy",
        crossSectionScale: "big",
      }),
    );
    const result = await runCli(["validate", bad]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${bad}: invalid: 2 errors, 1 warning`);
    expect(result.stdout).toMatch(/error +layers\[0\]\.segments\[1\]: segment ID "-5" is negative/);
    expect(result.stdout).toMatch(/error +crossSectionScale: /);
    expect(result.stdout).toMatch(/warning +layers\[0\]\.frob: unknown key "frob"/);

    const json = await runCli(["validate", bad, "--json"]);
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout) as { valid: boolean; errors: { path: string }[] };
    expect(parsed.valid).toBe(false);
    expect(parsed.errors.map((e) => e.path)).toEqual([
      "layers[0].segments[1]",
      "crossSectionScale",
    ]);
  });

  it("refuses a bare JSON number above 2^53 as a segment ID instead of rounding it", async () => {
    const text = JSON.stringify(VALID_STATE).replace('"42"', "9007199254740993");
    const result = await runCli(["validate", file("unsafe.json", text)]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      "layers[0].segments[1]: segment ID 9007199254740993 was sent as a JSON number",
    );
    // A rounded read would have said ...992.
    expect(result.stdout).not.toContain("9007199254740992");
  });

  it("validates an inline Neuroglancer URL given as the argument", async () => {
    const url = stateUrl("https://neuroglancer-demo.appspot.com", VALID_STATE);
    const result = await runCli(["validate", url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${url}: valid\n`);

    const broken = await runCli([
      "validate",
      "https://neuroglancer-demo.appspot.com/#!%7B%22layers",
    ]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('the state after "#!" is not valid JSON');
  });

  it("fetches a remote state (#!http://.../state.json) and a URL serving state JSON", async () => {
    const remote = await runCli(["validate", `https://viewer.example/#!${server.url}/valid.json`]);
    expect(remote.code).toBe(0);
    const direct = await runCli(["validate", `${server.url}/valid.json`]);
    expect(direct.code).toBe(0);
    const missing = await runCli(["validate", `${server.url}/absent.json`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`cannot fetch ${server.url}/absent.json: HTTP 404`);
  });

  it("reads - from stdin, as JSON or as a URL (the output of nglaunch url)", async () => {
    const json = await runCli(["validate", "-"], { stdin: JSON.stringify(VALID_STATE) });
    expect(json).toMatchObject({ code: 0, stdout: "stdin: valid\n" });
    const url = await runCli(["url", "--view", "synapses", "--segments", "7"]);
    const piped = await runCli(["validate", "-"], { stdin: url.stdout });
    expect(piped).toMatchObject({ code: 0, stdout: "stdin: valid\n" });
  });

  it("reports text that is not JSON as invalid (1), an unreadable file as a usage error (2)", async () => {
    const notJson = await runCli(["validate", file("notes.txt", "layers: none\n")]);
    expect(notJson.code).toBe(1);
    expect(notJson.stdout).toContain("is not valid JSON");
    const absent = await runCli(["validate", join(work, "absent.json")]);
    expect(absent.code).toBe(2);
    expect(absent.stderr).toBe(
      `nglaunch validate: no such file: ${join(work, "absent.json")}\n` +
        'Run "nglaunch validate --help" for usage.\n',
    );
    expect(absent.stderr).not.toContain("ENOENT");
    const none = await runCli(["validate"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("validate needs a state file, a URL or -");
    const two = await runCli(["validate", "a.json", "b.json"]);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain(
      'validate takes one argument (a state file, a URL or -), got "a.json" "b.json"',
    );
  });
});
