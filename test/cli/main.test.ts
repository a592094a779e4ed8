// The nglaunch entry: help on every command, usage errors, and real processes: the TypeScript
// entry run through tsx, and bin/nglaunch.js in a scratch tree (so the test neither needs nor
// rebuilds the shared dist/ folder).
import { execFile } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../src/config.js";
import { runCli } from "./run-cli.js";

const run = promisify(execFile);

/** Runs a node script; resolves with its exit code and output instead of rejecting on exit != 0. */
async function node(args: string[], cwd: string) {
  try {
    const { stdout, stderr } = await run(process.execPath, args, {
      cwd,
      env: { PATH: process.env.PATH ?? "" },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("nglaunch help and usage", () => {
  it("--help lists every command", async () => {
    const result = await runCli(["--help"]);
    expect(result.code).toBe(0);
    for (const command of ["url", "validate", "shorten", "presets list", "presets verify"])
      expect(result.stdout).toContain(`  ${command} `);
  });

  it("every command has --help (and help <command>)", async () => {
    const commands = [
      ["url"],
      ["validate"],
      ["shorten"],
      ["presets"],
      ["presets", "list"],
      ["presets", "verify"],
    ];
    for (const command of commands) {
      const result = await runCli([...command, "--help"]);
      expect(result.code, command.join(" ")).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: nglaunch ${command.join(" ")}`));
      expect(result.stderr).toBe("");
      expect((await runCli(["help", ...command])).stdout).toBe(result.stdout);
    }
  });

  it("--version prints package.json's version", async () => {
    const { version } = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as {
      version: string;
    };
    expect(await runCli(["--version"])).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });

  it("exits 2 with the help on stderr for no command or an unknown one", async () => {
    const none = await runCli([]);
    expect(none).toMatchObject({ code: 2, stdout: "" });
    expect(none.stderr).toContain("Usage: nglaunch <command>");
    const unknown = await runCli(["shrink"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('nglaunch: unknown command "shrink"');
  });
});

// Each test starts node processes (tsx compiles on the fly): allow for a busy machine.
describe("as a process", { timeout: 180_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), "nglaunch-cli-bin-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("runs src/cli/main.ts through tsx: help, and a URL on stdout with a clean exit", async () => {
    const help = await node(["--import", "tsx", "src/cli/main.ts", "--help"], packageRoot);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: nglaunch <command>");
    const url = await node(
      [
        "--import",
        "tsx",
        "src/cli/main.ts",
        "url",
        "--view",
        "overview",
        "--segments",
        "18446744073709551615",
      ],
      packageRoot,
    );
    expect(url).toMatchObject({ code: 0, stderr: "" });
    expect(url.stdout).toMatch(/^http:\/\/localhost:8080\/#!%7B.*18446744073709551615.*\n$/);
    const usage = await node(["--import", "tsx", "src/cli/main.ts", "validate"], packageRoot);
    expect(usage.code).toBe(2);
  });

  it("bin/nglaunch.js builds dist/src/cli/main.js when missing (output to stderr), then runs it", async () => {
    // A scratch tree shaped like the package: the real launcher, a build script that records
    // its arguments and writes a stand-in entry, so the shared dist/ is never touched.
    mkdirSync(join(scratch, "bin"));
    mkdirSync(join(scratch, "scripts"));
    copyFileSync(join(packageRoot, "bin", "nglaunch.js"), join(scratch, "bin", "nglaunch.js"));
    writeFileSync(
      join(scratch, "scripts", "build.mjs"),
      `import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
appendFileSync("builds.log", process.argv.slice(2).join(" ") + "\\n");
console.log("server  compiled");
mkdirSync("dist/src/cli", { recursive: true });
writeFileSync("dist/src/cli/main.js", "export async function main(argv) { process.stdout.write('ran ' + argv.join(' ') + '\\\\n'); return 3; }\\n");
`,
    );
    const first = await node([join(scratch, "bin", "nglaunch.js"), "url", "--help"], tmpdir());
    expect(first.code).toBe(3);
    expect(first.stdout).toBe("ran url --help\n");
    expect(first.stderr).toContain("server  compiled");
    expect(readFileSync(join(scratch, "builds.log"), "utf8")).toBe("--server-only\n");

    const second = await node([join(scratch, "bin", "nglaunch.js"), "--version"], tmpdir());
    expect(second).toEqual({ code: 3, stdout: "ran --version\n", stderr: "" });
    expect(readFileSync(join(scratch, "builds.log"), "utf8")).toBe("--server-only\n");
  });

  it("bin/nglaunch.js is executable with a node shebang", () => {
    const launcher = join(packageRoot, "bin", "nglaunch.js");
    expect(existsSync(launcher)).toBe(true);
    expect(readFileSync(launcher, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
    expect(statSync(launcher).mode & 0o111).toBe(0o111);
  });
});
