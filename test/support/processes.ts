// Real service processes for tests: `node --import tsx <entry point>` as a child process, with the
// environment given (nothing inherited but PATH). Every child is tracked and killed on failure,
// on `stopAllProcesses()` and when the test process exits, so no run leaves one behind.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const API_ENTRY = 'apps/api/src/main.ts';
const WORKER_ENTRY = 'apps/worker/src/main.ts';
// Generous: a first start on a busy machine, with tsx's cache still cold, takes many seconds.
const DEFAULT_START_TIMEOUT_MS = 60_000;
const DEFAULT_STOP_TIMEOUT_MS = 20_000;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface NodeProcess {
  child: ChildProcess;
  pid: number;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** stdout lines parsed as JSON (pino logs); lines that are not JSON are skipped. */
  logLines(): Record<string, unknown>[];
  /** Resolves with the first stdout JSON line the predicate accepts (rejects on exit or timeout). */
  waitForLog(predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves once the process has exited. */
  exited: Promise<ExitStatus>;
  /** Sends a signal (SIGTERM by default) and waits for the exit; SIGKILL after the timeout. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ExitStatus>;
}

export interface RunningApiProcess extends NodeProcess {
  baseUrl: string;
  port: number;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

function baseEnv(): Record<string, string> {
  // eslint-disable-next-line no-restricted-properties
  const path = process.env.PATH;
  return path ? { PATH: path } : {};
}

function parseJsonLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(line);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts `node --conditions=@dnc/source --import tsx <script>` for a .ts script (the sources, as in
 * every test), or plain `node <script>` for compiled .js (path relative to the repository root),
 * with exactly `env` (+ PATH).
 */
export function spawnNode(script: string, env: Record<string, string>): NodeProcess {
  const args = script.endsWith('.ts') ? ['--conditions=@dnc/source', '--import', 'tsx', script] : [script];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not spawn ${script}`);
  live.add(child);

  let stdout = '';
  let stderr = '';
  const lines: Record<string, unknown>[] = [];
  const lineListeners = new Set<(line: Record<string, unknown>) => void>();
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const part of parts) {
      const parsed = parseJsonLine(part.trim());
      if (!parsed) continue;
      lines.push(parsed);
      for (const listener of lineListeners) listener(parsed);
    }
  });
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });

  let exitStatus: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      exitStatus = { code, signal };
      live.delete(child);
      resolve(exitStatus);
    });
  });
  // A child's stdio may still hold data after 'exit'; 'close' follows once it is drained.
  const closed = new Promise<ExitStatus>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
  });

  const waitForLog: NodeProcess['waitForLog'] = (predicate, timeoutMs = DEFAULT_START_TIMEOUT_MS) =>
    new Promise((resolve, reject) => {
      const found = lines.find(predicate);
      if (found) return resolve(found);
      let timer: NodeJS.Timeout | undefined = undefined;
      const finish = (error: Error | undefined, line?: Record<string, unknown>) => {
        clearTimeout(timer);
        lineListeners.delete(listener);
        if (error) reject(error);
        else resolve(line!);
      };
      const listener = (line: Record<string, unknown>) => {
        if (predicate(line)) finish(undefined, line);
      };
      lineListeners.add(listener);
      timer = setTimeout(
        () =>
          finish(new Error(`timed out after ${timeoutMs} ms waiting for a log line of ${script}\nstdout:\n${stdout}\nstderr:\n${stderr}`)),
        timeoutMs,
      );
      void exited.then((status) =>
        finish(
          new Error(`${script} exited (${JSON.stringify(status)}) before the expected log line\nstdout:\n${stdout}\nstderr:\n${stderr}`),
        ),
      );
    });

  return {
    child,
    pid: child.pid,
    stdout: () => stdout,
    stderr: () => stderr,
    logLines: () => [...lines],
    waitForLog,
    exited: closed,
    async stop(signal = 'SIGTERM', timeoutMs = DEFAULT_STOP_TIMEOUT_MS) {
      if (exitStatus) return closed;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await closed;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Runs a script to completion (killed after the timeout) and returns its exit status and output. */
export async function runNode(
  script: string,
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<ExitStatus & { stdout: string; stderr: string }> {
  const proc = spawnNode(script, env);
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), timeoutMs);
  try {
    const status = await proc.exited;
    return { ...status, stdout: proc.stdout(), stderr: proc.stderr() };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts the real API (`apps/api/src/main.ts`) on an ephemeral port with the given environment
 * (usually `env.env` of the test environment) and waits for its "API listening" log line.
 * A process that fails to start is killed and the error carries its output.
 */
export async function startApiProcess(env: Record<string, string>, timeoutMs = DEFAULT_START_TIMEOUT_MS): Promise<RunningApiProcess> {
  const proc = spawnNode(API_ENTRY, { ...env, PORT: '0', LOG_LEVEL: 'info' });
  try {
    const line = await proc.waitForLog((l) => l.msg === 'API listening' && typeof l.port === 'number', timeoutMs);
    const port = line.port as number;
    return { ...proc, port, baseUrl: `http://127.0.0.1:${port}` };
  } catch (error) {
    await proc.stop('SIGKILL');
    throw error;
  }
}

/**
 * Starts the real worker (`apps/worker/src/main.ts`) with the given environment (usually `env.env`
 * of the test environment) at LOG_LEVEL info unless `overrides` says otherwise, and waits for its
 * "worker started" log line. A process that fails to start is killed and the error carries its output.
 */
export async function startWorkerProcess(
  env: Record<string, string>,
  overrides: Record<string, string> = {},
  timeoutMs = DEFAULT_START_TIMEOUT_MS,
): Promise<NodeProcess> {
  const proc = spawnNode(WORKER_ENTRY, { ...env, LOG_LEVEL: 'info', ...overrides });
  try {
    await proc.waitForLog((l) => l.msg === 'worker started', timeoutMs);
    return proc;
  } catch (error) {
    await proc.stop('SIGKILL');
    throw error;
  }
}

/** Kills every child still running (for afterAll). */
export async function stopAllProcesses(): Promise<void> {
  const children = [...live];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The one JSON line a CLI printed with --json (the output ends with it, and holds nothing else). */
export function parseSingleJsonLine(stdout: string): any {
  expect(stdout.endsWith('\n')).toBe(true);
  const lines = stdout.split('\n').filter((line) => line.length > 0);
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!);
}

/** The one JSON line of a CLI run that succeeded: exit 0, nothing on stderr. */
export function succeededWithJson(result: CliResult): any {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return parseSingleJsonLine(result.stdout);
}

/**
 * The timeout of a test that runs the API, the worker or the CLI as child processes: each start
 * of Node and tsx takes seconds, many more on a busy machine where other tests start theirs; this
 * is far beyond what any such test needs, so only a hang trips it.
 */
export const PROCESS_TEST_TIMEOUT_MS = 120_000;

/** Runs the CLI (`apps/cli/src/main.ts`) to completion with exactly `env` (+ PATH and HOME); killed after `timeoutMs`, a hang. */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<CliResult> {
  // eslint-disable-next-line no-restricted-properties
  const home = process.env.HOME ?? '/tmp';
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=@dnc/source', '--import', 'tsx', 'apps/cli/src/main.ts', ...args],
      { cwd: repoRoot, env: { ...baseEnv(), HOME: home, ...env }, timeout: timeoutMs },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
