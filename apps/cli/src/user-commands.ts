// Commands for API users: `bulk-delete`, `check`, `add`. They talk to the DNC API over HTTP
// through @dnc/client (never to Postgres or Redis), with a team's API key.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  createDncClient,
  DncApiError,
  isDncApiError,
  type BulkDeletion,
  type DncClient,
  type Entry,
  type Job,
  type JobCounts,
} from '@dnc/client';
import { DEFAULT_BULK_MAX_IDS, MAX_REASON_LENGTH, type TerminalJobStatus } from '@dnc/shared/vocabulary';
import { DEFAULT_BASE_URL, resolveConnection } from './cli-config.js';
import { chunk, parseIdFile } from './id-file.js';
import { aggregate, createProgressDisplay, describeCounts, formatCount } from './progress.js';
import { UsageError } from './usage-error.js';

/** The most ids one bulk-deletion request may hold (the service's BULK_MAX_IDS default). */
export const SERVER_MAX_IDS = DEFAULT_BULK_MAX_IDS;

const CONNECTION_HELP = `  --base-url <url>   the API (default: DNC_BASE_URL, else ${DEFAULT_BASE_URL})
  --api-key <key>    an API key of the team (default: DNC_API_KEY)`;

export const USER_USAGE = `  bulk-delete --file <ids.txt|ids.csv> [--reason <text>] [--json]
  check <url> [--json]
  add <url> [--reason <text>] [--json]`;

export const USER_HELP = {
  'bulk-delete': `Usage: pnpm cli bulk-delete --file <ids.txt|ids.csv> [--reason <text>] [--json] [--base-url <url>] [--api-key <key>]

Deletes DNC entries by id through bulk-deletion jobs and waits until every job has ended.
The file holds one id per line, or is a CSV whose "id" column (else its first column) holds
the ids; blank lines and a header row are skipped, repeated ids are submitted once. Ids are
submitted in jobs of at most ${formatCount(SERVER_MAX_IDS)}. While the jobs run, a progress bar is shown on
stderr; the summary goes to stdout. Exits 1 unless every job completed.
  --file <path>              the ids (required)
  --reason <text>            recorded in the audit trail of every deletion (at most ${MAX_REASON_LENGTH} characters)
  --json                     no progress bar; print exactly one JSON line:
                             {"status","total","duplicatesSkipped","processed","counts","jobs"}
  --chunk-size <n>           ids per job, 1..${SERVER_MAX_IDS} (default ${SERVER_MAX_IDS})
  --idempotency-key <key>    makes a re-run of the same command return the jobs already
                             submitted (job n is sent with "<key>-n") instead of new jobs
${CONNECTION_HELP}

Ctrl-C stops waiting; the jobs keep running on the server.`,
  check: `Usage: pnpm cli check <url> [--json] [--base-url <url>] [--api-key <key>]

Tells whether a LinkedIn profile URL (any accepted form: linkedin.com/in/x, in/x, …) is on the
team's Do Not Contact list.
  --json   print exactly one JSON line: {"onList", "entry"}
${CONNECTION_HELP}`,
  add: `Usage: pnpm cli add <url> [--reason <text>] [--json] [--base-url <url>] [--api-key <key>]

Adds a LinkedIn profile URL to the team's Do Not Contact list. A URL already listed is not an
error: the existing entry is shown.
  --reason <text>   recorded in the audit trail (at most ${MAX_REASON_LENGTH} characters)
  --json            print exactly one JSON line: {"added", "entry"}
${CONNECTION_HELP}`,
};

export type UserCommand = keyof typeof USER_HELP;

export function isUserCommand(command: string | undefined): command is UserCommand {
  return command !== undefined && Object.hasOwn(USER_HELP, command);
}

const connectionOptions = {
  'base-url': { type: 'string' },
  'api-key': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** One line for any failure of an API call. */
export function describeFailure(error: unknown): string {
  if (error instanceof DncApiError) {
    const details = (error.details ?? [])
      .slice(0, 3)
      .map((detail) => `${detail.path} ${detail.message}`)
      .join('; ');
    const context = [error.code, `HTTP ${error.status}`, error.requestId ? `request ${error.requestId}` : undefined].filter(Boolean);
    return `${error.message}${details ? ` — ${details}` : ''} (${context.join(', ')})`;
  }
  return error instanceof Error ? error.message : String(error);
}

function createClient(values: { 'base-url'?: string | undefined; 'api-key'?: string | undefined }): DncClient {
  const connection = resolveConnection({ baseUrl: values['base-url'], apiKey: values['api-key'] });
  // 429 on submissions is expected with many chunks (the dnc-bulk budget): wait it out.
  return createDncClient({ ...connection, retry: { maxAttempts: 5, maxDelayMs: 60_000 } });
}

function onlyPositional(positionals: string[], command: UserCommand, what: string): string {
  const [value, ...extra] = positionals;
  if (!value) throw new UsageError(`${what} is required (see "pnpm cli ${command} --help")`);
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}" (see "pnpm cli ${command} --help")`);
  return value;
}

async function readIdFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'unreadable');
    throw new UsageError(`Cannot read ${path}: ${reason}`);
  }
}

function parseChunkSize(value: string | undefined): number {
  if (value === undefined) return SERVER_MAX_IDS;
  const size = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(size >= 1 && size <= SERVER_MAX_IDS))
    throw new UsageError(`--chunk-size must be a whole number from 1 to ${SERVER_MAX_IDS} (got "${value}")`);
  return size;
}

export interface BulkDeleteSummary {
  status: TerminalJobStatus;
  total: number;
  duplicatesSkipped: number;
  processed: number;
  counts: JobCounts;
  jobs: { id: string; status: Job['status']; total: number; counts: JobCounts }[];
}

function summarize(jobs: Job[], duplicatesSkipped: number): BulkDeleteSummary {
  const totals = aggregate(jobs);
  const status = jobs.every((job) => job.status === 'completed')
    ? 'completed'
    : jobs.some((job) => job.status === 'failed')
      ? 'failed'
      : 'cancelled';
  return {
    status,
    total: totals.total,
    duplicatesSkipped,
    processed: jobs.reduce((sum, job) => sum + job.processed, 0),
    counts: totals.counts,
    jobs: jobs.map((job) => ({ id: job.$id, status: job.status, total: job.total, counts: job.counts })),
  };
}

const plural = (count: number, word: string) => `${formatCount(count)} ${word}${count === 1 ? '' : 's'}`;

async function bulkDelete(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      ...connectionOptions,
      file: { type: 'string' },
      reason: { type: 'string' },
      'chunk-size': { type: 'string' },
      'idempotency-key': { type: 'string' },
    },
  });
  if (values.help) {
    console.log(USER_HELP['bulk-delete']);
    return;
  }
  if (!values.file) throw new UsageError('--file is required (see "pnpm cli bulk-delete --help")');
  const chunkSize = parseChunkSize(values['chunk-size']);
  const client = createClient(values);
  const idFile = parseIdFile(await readIdFile(values.file), values.file);
  const chunks = chunk(idFile.ids, chunkSize);

  const stop = new AbortController();
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    stop.abort();
  };
  process.once('SIGINT', onSigint);
  const submitted: BulkDeletion[] = [];
  const jobList = () => submitted.map((deletion) => deletion.job.$id).join(', ');
  try {
    for (const [index, ids] of chunks.entries()) {
      try {
        submitted.push(
          await client.bulkDelete(ids, {
            reason: values.reason,
            idempotencyKey: values['idempotency-key'] ? `${values['idempotency-key']}-${index + 1}` : undefined,
            signal: stop.signal,
          }),
        );
      } catch (error) {
        const already = submitted.length > 0 ? `; the ${plural(submitted.length, 'job')} already submitted keep running: ${jobList()}` : '';
        if (interrupted) throw new UsageError(`Interrupted while submitting${already}`, 130);
        const first = index * chunkSize + 1;
        const range = chunks.length > 1 ? ` ids ${formatCount(first)}-${formatCount(first + ids.length - 1)}` : '';
        throw new UsageError(`Submitting${range} failed: ${describeFailure(error)}${already}`);
      }
    }

    const latest = new Map<string, Job>(submitted.map((deletion) => [deletion.job.$id, deletion.job]));
    const display = values.json ? undefined : createProgressDisplay(process.stderr);
    if (!values.json) {
      process.stderr.write(`Submitted ${plural(idFile.ids.length, 'id')} in ${plural(submitted.length, 'job')}: ${jobList()}\n`);
    }
    display?.update(latest.values());
    let finals: Job[];
    try {
      finals = await Promise.all(
        submitted.map((deletion) =>
          deletion.wait({
            signal: stop.signal,
            onProgress: (job) => {
              latest.set(job.$id, job);
              display?.update(latest.values());
            },
          }),
        ),
      );
    } catch (error) {
      stop.abort(); // stop polling the other jobs
      if (interrupted) {
        throw new UsageError(
          `Stopped waiting; the deletion continues on the server (cancel with POST /v1/dnc/bulk-delete/<id>/cancel): ${jobList()}`,
          130,
        );
      }
      throw new UsageError(`Lost track of the jobs (${jobList()}): ${describeFailure(error)}`);
    } finally {
      display?.stop();
    }

    const summary = summarize(finals, idFile.duplicates);
    if (values.json) console.log(JSON.stringify(summary));
    else {
      const duplicates = idFile.duplicates > 0 ? ` (${plural(idFile.duplicates, 'repeated id')} in the file skipped)` : '';
      console.log(`Bulk deletion ${summary.status}: ${plural(summary.total, 'id')} in ${plural(finals.length, 'job')}${duplicates}`);
      console.log(`  ${describeCounts(summary.counts)}`);
      if (summary.counts.failed + summary.counts.forbidden > 0) {
        console.log(`  See the items with GET /v1/dnc/bulk-delete/<job id>/items?status=failed (or forbidden): ${jobList()}`);
      }
    }
    const unfinished = finals.filter((job) => job.status !== 'completed');
    if (unfinished.length > 0) {
      throw new UsageError(`Not every job completed: ${unfinished.map((job) => `${job.$id} ${job.status}`).join(', ')}`);
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

async function check(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: connectionOptions });
  if (values.help) {
    console.log(USER_HELP.check);
    return;
  }
  const url = onlyPositional(positionals, 'check', 'A URL');
  const result = await createClient(values).check(url);
  if (values.json) console.log(JSON.stringify(result));
  else if (result.onList) console.log(`On the list: ${result.entry.url} (${result.entry.$id}, added ${result.entry.$createdAt})`);
  else console.log(`Not on the list: ${url}`);
}

async function add(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...connectionOptions, reason: { type: 'string' } },
  });
  if (values.help) {
    console.log(USER_HELP.add);
    return;
  }
  const url = onlyPositional(positionals, 'add', 'A URL');
  let added: boolean;
  let entry: Entry;
  try {
    entry = await createClient(values).add(url, { reason: values.reason });
    added = true;
  } catch (error) {
    const existing = isDncApiError(error, 'duplicate_entry') ? (error.data as { entry?: Entry } | null)?.entry : undefined;
    if (!existing) throw error;
    entry = existing;
    added = false;
  }
  if (values.json) console.log(JSON.stringify({ added, entry }));
  else console.log(`${added ? 'Added' : 'Already on the list'}: ${entry.url} (${entry.$id})`);
}

export async function runUserCommand(command: UserCommand, args: string[]): Promise<void> {
  switch (command) {
    case 'bulk-delete':
      return bulkDelete(args);
    case 'check':
      return check(args);
    case 'add':
      return add(args);
  }
}
