// @ts-check
// `pnpm start`: runs the compiled API and worker side by side (after `pnpm db:migrate`), forwards
// SIGTERM/SIGINT to both, and exits when either stops so a supervisor can restart the pair.
// Plain JavaScript run by plain node: `pnpm build` must have compiled apps/*/dist first.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SERVICE_NODE_FLAGS } from './node-flags.mjs';

const entries = ['../apps/api/dist/main.js', '../apps/worker/dist/main.js'].map((path) => fileURLToPath(new URL(path, import.meta.url)));
const missing = entries.filter((entry) => !existsSync(entry));
if (missing.length > 0) {
  process.stderr.write(`Not built: ${missing.join(', ')}. Run \`pnpm build\` first.\n`);
  process.exit(1);
}

const children = entries.map((entry) => spawn(process.execPath, [...SERVICE_NODE_FLAGS, entry], { stdio: 'inherit' }));

/** @type {number | undefined} */
let exitCode;
for (const child of children) {
  child.on('exit', (code, signal) => {
    exitCode ??= code ?? (signal ? 1 : 0);
    for (const other of children) if (other.exitCode === null && other.signalCode === null) other.kill('SIGTERM');
    if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(exitCode);
  });
}
for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT'])) {
  process.on(signal, () => {
    for (const child of children) child.kill(signal);
  });
}
