// `pnpm start`: runs the API and the worker side by side (after `pnpm db:migrate`), forwards
// SIGTERM/SIGINT to both, and exits when either stops so a supervisor can restart the pair.
import { spawn, type ChildProcess } from 'node:child_process';

const children: ChildProcess[] = ['apps/api/src/main.ts', 'apps/worker/src/main.ts'].map((entry) =>
  spawn(process.execPath, ['--import', 'tsx', entry], { stdio: 'inherit' }),
);

let exitCode: number | undefined;
for (const child of children) {
  child.on('exit', (code, signal) => {
    exitCode ??= code ?? (signal ? 1 : 0);
    for (const other of children) if (other.exitCode === null && other.signalCode === null) other.kill('SIGTERM');
    if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(exitCode);
  });
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    for (const child of children) child.kill(signal);
  });
}
