// `npm test`: formatting, typecheck, Deno check of the edge functions, lint, Vitest (unit + integration
// on a private Postgres) and Playwright in Chromium against a production build. Ends with
// one line, "N passed, M failed", counting every test and every check.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const bin = (name: string) => join(root, "node_modules", ".bin", name);
const results = join(root, "test-results");
let passed = 0;
let failed = 0;
const failures: string[] = [];

function step(title: string, cmd: string, args: string[], env: Record<string, string> = {}) {
  console.log(`\n\x1b[1m▶ ${title}\x1b[0m`);
  const started = Date.now();
  const run = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  console.log(`  ${run.status === 0 ? "ok" : "FAILED"} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return run.status === 0;
}

function check(title: string, ok: boolean) {
  if (ok) passed += 1;
  else {
    failed += 1;
    failures.push(title);
  }
}

function findChromium(): string | null {
  for (const candidate of [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"]) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  return null;
}

function ensureChromium(): string | null {
  const found = findChromium();
  if (found) return found;
  const isRoot = process.getuid?.() === 0;
  if (isRoot && existsSync("/usr/bin/apt-get")) {
    console.log("Chromium is missing; installing Debian's chromium package…");
    spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
    spawnSync("apt-get", ["install", "-y", "-qq", "chromium"], {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    return findChromium();
  }
  console.error(
    "Chromium is needed for the browser tests and is not installed. Run:\n  sudo apt-get install -y chromium\nor set CHROMIUM_PATH to a Chromium binary.",
  );
  return null;
}

rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

check("format", step("Format (prettier --check)", bin("prettier"), ["--check", "--log-level=warn", "**/*.{ts,tsx,js,mjs,json,css}"]));
// Product code (tsconfig.json, what `next build` checks), tests and benchmarks (their own tsconfig.json
// extends the root one), all under noUncheckedIndexedAccess. Every config runs, even after a failure.
const typecheckOk = ["tsconfig.json", "tests/tsconfig.json", "bench/tsconfig.json"]
  .map((project) => step(`Typecheck (tsc -p ${project})`, bin("tsc"), ["--noEmit", "-p", project]))
  .every(Boolean);
check("typecheck", typecheckOk);
const functionEntries = readdirSync(join(root, "supabase", "functions"), { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith("_") && existsSync(join(root, "supabase", "functions", d.name, "index.ts")))
  .map((d) => join("supabase", "functions", d.name, "index.ts"));
check(
  "deno check",
  step("Deno check (edge functions)", bin("deno"), ["check", "--quiet", "--config", "supabase/functions/deno.json", ...functionEntries]),
);
check("lint", step("Lint (eslint)", bin("eslint"), ["--max-warnings=0", "."]));

const vitestJson = join(results, "vitest.json");
const vitestOk = step("Unit and integration tests (vitest)", bin("vitest"), [
  "run",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${vitestJson}`,
]);
if (existsSync(vitestJson)) {
  const report = JSON.parse(readFileSync(vitestJson, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  if (report.numFailedTests) failures.push(`vitest: ${report.numFailedTests} failed`);
  // A suite that failed to load has no tests to count; count it as a failure.
  const brokenSuites = report.testResults.filter(
    (s: { status: string; assertionResults: unknown[] }) => s.status === "failed" && s.assertionResults.length === 0,
  ).length;
  if (brokenSuites) check(`vitest: ${brokenSuites} suite(s) failed to load`, false);
} else check("vitest ran", vitestOk);

const chromium = ensureChromium();
if (!chromium) check("chromium available", false);
else {
  const e2eJson = join(results, "e2e.json");
  const e2eOk = step("Browser tests (playwright + chromium)", bin("playwright"), ["test"], { CHROMIUM_PATH: chromium });
  if (existsSync(e2eJson)) {
    const stats = JSON.parse(readFileSync(e2eJson, "utf8")).stats;
    passed += stats.expected + stats.flaky;
    failed += stats.unexpected;
    if (stats.unexpected) failures.push(`playwright: ${stats.unexpected} failed`);
    if (!e2eOk && !stats.unexpected) check("playwright: setup or teardown failed", false);
  } else check("playwright ran", false);
}

if (failures.length) console.log(`\nFailed: ${failures.join("; ")}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
