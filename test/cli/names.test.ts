// `nglaunch names reset-token | show` on the store a real service uses (embedded SQLite in a
// temporary DATA_DIR): the old token stops working, the printed one works, nothing else changes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { runCli } from "./run-cli.js";

let t: TestApp;
let env: Record<string, string>;

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "nglaunch-cli-names-"));
  t = await startTestApp({ dataDir });
  env = { DATA_DIR: dataDir };
});
afterAll(async () => {
  await t.close();
  rmSync(env.DATA_DIR ?? "", { recursive: true, force: true });
});

async function linkFor(segment: string): Promise<string> {
  const res = await request(t.app.server)
    .post("/api/links")
    .send({
      state: {
        layers: [
          { type: "segmentation", name: "seg", source: "precomputed://x", segments: [segment] },
        ],
      },
    });
  return res.body.id as string;
}

describe("nglaunch names", () => {
  it("reset-token replaces a lost token: the old one is refused, the new one moves the name", async () => {
    const [a, b] = [await linkFor("1"), await linkFor("2")];
    const created = await request(t.app.server)
      .post("/api/names")
      .send({ name: "lost-token", link: a })
      .expect(201);
    const old = created.body.token as string;

    const result = await runCli(["names", "reset-token", "lost-token"], { env });
    expect(result.code).toBe(0);
    const fresh = result.stdout.trim();
    expect(fresh).toMatch(/^ngn_[A-Za-z0-9_-]{43}$/);
    expect(fresh).not.toBe(old);
    expect(result.stderr).toMatch(/old one no longer works/);

    const move = (token: string) =>
      request(t.app.server)
        .put("/api/names/lost-token")
        .set("authorization", `Bearer ${token}`)
        .send({ link: b });
    expect((await move(old)).status).toBe(403);
    expect((await move(fresh)).status).toBe(200);

    const json = await runCli(["names", "reset-token", "lost-token", "--json"], { env });
    expect(JSON.parse(json.stdout)).toMatchObject({
      name: "lost-token",
      token: expect.any(String),
    });
    expect((await move(fresh)).status).toBe(403);

    const shown = await runCli(["names", "show", "lost-token"], { env });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^VERSION\s+LINK\s+CREATED\s+NOTE\n1\s+\S+/);
    expect(shown.stdout).toContain(b);
    expect(shown.stdout).not.toContain(fresh);
  });

  it("says what is wrong: unknown names (1), bad names and missing arguments (2)", async () => {
    const unknown = await runCli(["names", "reset-token", "nobody-here"], { env });
    expect(unknown).toMatchObject({ code: 1, stdout: "" });
    expect(unknown.stderr).toMatch(/no name "nobody-here" in the sqlite store/);
    const bad = await runCli(["names", "reset-token", "Bad_Name"], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/nglaunch names reset-token: "Bad_Name" is not a name/);
    expect((await runCli(["names", "reset-token"], { env })).code).toBe(2);
    expect((await runCli(["names", "rename", "x"], { env })).stderr).toMatch(
      /unknown names command/,
    );
    const help = await runCli(["names", "--help"], { env });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("reset-token NAME");
  });
});
