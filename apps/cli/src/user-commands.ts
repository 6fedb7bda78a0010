// Commands for API users: `list`, `check`, `add`, `delete`, `bulk-delete`, `jobs …`, `audit`.
// They talk to the DNC API over HTTP through @dnc/client (never to Postgres or Redis), with a
// team's API key. The listing commands are in read-commands.ts.
import { isDncApiError, type BulkDeletion, type DncClient, type Entry, type Job, type JobCounts, type UrlCheck } from '@dnc/client';
import { DEFAULT_BULK_MAX_IDS, MAX_CHECK_URLS, MAX_REASON_LENGTH, type TerminalJobStatus } from '@dnc/shared/vocabulary';
import {
  CONNECTION_HELP,
  connect,
  connectionOptions,
  describeFailure,
  onlyPositional,
  parseCommand,
  plural,
  printJson,
  readTextFile,
} from './command-kit.js';
import { chunk, parseIdFile } from './id-file.js';
import { aggregate, createProgressDisplay, describeCounts, formatCount } from './progress.js';
import { READ_HELP, readCommands } from './read-commands.js';
import { parseUrlFile, type UrlLine } from './url-file.js';
import { UsageError } from './usage-error.js';

export { describeFailure } from './command-kit.js';

/** The most ids (or URLs) one bulk-deletion request may hold (the service's BULK_MAX_IDS default). */
export const SERVER_MAX_IDS = DEFAULT_BULK_MAX_IDS;

export const USER_USAGE = `  list [--limit <n>] [--cursor <cursor> | --offset <n>] [--all] [--json]
  check <url> [--json]
  check --file <urls.txt|urls.csv> [--json]
  add <url> [--reason <text>] [--json]
  delete <id> [--reason <text>] [--json]
  bulk-delete --file <ids.txt|ids.csv> | --urls-file <urls.txt|urls.csv> [--reason <text>] [--json]
  jobs show|wait|cancel <jobId> [--json]
  jobs items <jobId> [--status <status>] [--limit <n>] [--cursor <cursor> | --offset <n>] [--all] [--json]
  audit [--action <action>] [--entry-id <id>] [--job-id <id>] [--limit <n>] [--cursor <cursor> | --offset <n>] [--all] [--json]
  --version [--json]`;

export const USER_HELP = {
  ...READ_HELP,
  'bulk-delete': `Usage: pnpm cli bulk-delete --file <ids.txt|ids.csv> [--reason <text>] [--json] [--base-url <url>] [--api-key <key>]
       pnpm cli bulk-delete --urls-file <urls.txt|urls.csv> [--reason <text>] [--json] [--base-url <url>] [--api-key <key>]

Deletes DNC entries through bulk-deletion jobs and waits until every job has ended: by id
(--file), or by LinkedIn profile URL (--urls-file: the team's entry with that URL is deleted;
a URL not on the list ends "not found").
The file holds one id (or URL) per line, or is a CSV whose "id" column (for URLs: "url",
"linkedin_url", "profile_url", …), else its first column, holds them; blank lines and a header
row are skipped, repeats are submitted once. They are submitted in jobs of at most
${formatCount(SERVER_MAX_IDS)}. While the jobs run, a progress bar is shown on stderr; the summary goes to stdout.
Exits 1 unless every job completed. A URL the service cannot read as a profile URL stops the
submission with its line number.
  --file <path>              the entry ids (this or --urls-file is required)
  --urls-file <path>         the LinkedIn profile URLs, in any accepted spelling
  --reason <text>            recorded in the audit trail of every deletion (at most ${MAX_REASON_LENGTH} characters)
  --chunk-size <n>           ids or URLs per job, 1..${SERVER_MAX_IDS} (default ${SERVER_MAX_IDS})
  --idempotency-key <key>    makes a re-run of the same command return the jobs already
                             submitted (job n is sent with "<key>-n") instead of new jobs
${CONNECTION_HELP}
With --json there is no progress bar, and the one line is
{"status","total","duplicatesSkipped","processed","counts","jobs"}.

Ctrl-C stops waiting; the jobs keep running on the server.`,
  check: `Usage: pnpm cli check <url> [--json] [--base-url <url>] [--api-key <key>]
       pnpm cli check --file <urls.txt|urls.csv> [--json] [--base-url <url>] [--api-key <key>]

Tells whether a LinkedIn profile URL (any accepted form: linkedin.com/in/x, in/x, …) is on the
team's Do Not Contact list. With --file, scrubs a whole list: one URL per line, or a CSV whose
"url" column (also "linkedin_url", "profile_url", …), else its first column, holds the URLs;
they are checked ${formatCount(MAX_CHECK_URLS)} per request (POST /v1/dnc/check). Prints the URLs on the list and
those that are not profile URLs, then a summary. Exits 0 whatever the answers.
  --file <path>   the URLs to scrub
${CONNECTION_HELP}
With --json: for one URL {"onList","entry"}; with --file
{"total","onList","notOnList","errors","results":[{"url","line","normalizedUrl","onList","entry","error"?}]}.`,
  add: `Usage: pnpm cli add <url> [--reason <text>] [--json] [--base-url <url>] [--api-key <key>]

Adds a LinkedIn profile URL to the team's Do Not Contact list. A URL already listed is not an
error: the existing entry is shown.
  --reason <text>   recorded in the audit trail (at most ${MAX_REASON_LENGTH} characters)
${CONNECTION_HELP}
With --json: {"added","entry"}.`,
  delete: `Usage: pnpm cli delete <id> [--reason <text>] [--json] [--base-url <url>] [--api-key <key>]

Deletes one entry (dnc_…) of the team's list, at once and for good; the deletion is audited.
Exits 1 when there is no such entry (or it belongs to another team).
  --reason <text>   recorded in the audit trail (at most ${MAX_REASON_LENGTH} characters)
${CONNECTION_HELP}
With --json: {"deleted":true,"id"}.`,
};

export type UserCommand = keyof typeof USER_HELP;

export function isUserCommand(command: string | undefined): command is UserCommand {
  return command !== undefined && Object.hasOwn(USER_HELP, command);
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

function shown(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

/** `urls[3]` (or `body.urls.3`) of a validation error: the index of the URL in its request. */
const URL_PATH = /^(?:body\.)?urls(?:\[(\d+)\]|\.(\d+))$/;

/**
 * A bulk submission by URL the service refused because of its URLs: said with the file's line
 * numbers instead of the request's indexes. Anything else is returned unchanged.
 */
function pointAtLines(error: unknown, urls: UrlLine[], fileName: string): unknown {
  if (!isDncApiError(error, 'validation_error')) return error;
  const lines = (error.details ?? []).flatMap((detail) => {
    const match = URL_PATH.exec(detail.path);
    const url = match ? urls[Number(match[1] ?? match[2])] : undefined;
    return url ? [`line ${url.line}: ${shown(url.url)} ${detail.message}`] : [];
  });
  if (lines.length === 0) return error;
  const more = lines.length > 3 ? ` (and ${lines.length - 3} more)` : '';
  return new UsageError(`${fileName} ${lines.slice(0, 3).join('; ')}${more}`);
}

async function bulkDelete(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand(
    args,
    {
      ...connectionOptions,
      file: { type: 'string' },
      'urls-file': { type: 'string' },
      reason: { type: 'string' },
      'chunk-size': { type: 'string' },
      'idempotency-key': { type: 'string' },
    },
    'bulk-delete',
  );
  if (values.help) return console.log(USER_HELP['bulk-delete']);
  if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}" (see "pnpm cli bulk-delete --help")`);
  if (values.file !== undefined && values['urls-file'] !== undefined) {
    throw new UsageError('Give --file (ids) or --urls-file (URLs), not both (see "pnpm cli bulk-delete --help")');
  }
  const fileName = values.file ?? values['urls-file'];
  if (!fileName) throw new UsageError('--file is required, or --urls-file (see "pnpm cli bulk-delete --help")');
  const byUrl = values['urls-file'] !== undefined;
  const chunkSize = parseChunkSize(values['chunk-size']);
  const client = connect(values);
  const text = await readTextFile(fileName);

  // What to submit, in chunks of at most chunkSize; repeats of the file are submitted once.
  let chunks: (string[] | UrlLine[])[];
  let count: number;
  let duplicates: number;
  if (byUrl) {
    const lines = parseUrlFile(text, fileName).urls;
    const seen = new Set<string>();
    const urls = lines.filter((line) => !seen.has(line.url) && seen.add(line.url));
    duplicates = lines.length - urls.length;
    chunks = chunk(urls, chunkSize);
    count = urls.length;
  } else {
    const idFile = parseIdFile(text, fileName);
    chunks = chunk(idFile.ids, chunkSize);
    count = idFile.ids.length;
    duplicates = idFile.duplicates;
  }
  const what = byUrl ? 'URL' : 'id';

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
    for (const [index, items] of chunks.entries()) {
      const idempotencyKey = values['idempotency-key'] ? `${values['idempotency-key']}-${index + 1}` : globalThis.crypto.randomUUID();
      try {
        const submission = { reason: values.reason, idempotencyKey, signal: stop.signal };
        submitted.push(
          byUrl
            ? await client.bulkDeleteUrls(
                (items as UrlLine[]).map((line) => line.url),
                submission,
              )
            : await client.bulkDelete(items as string[], submission),
        );
      } catch (error) {
        const already = submitted.length > 0 ? `; the ${plural(submitted.length, 'job')} already submitted keep running: ${jobList()}` : '';
        if (interrupted) throw new UsageError(`Interrupted while submitting${already}`, 130);
        const pointed = byUrl ? pointAtLines(error, items as UrlLine[], fileName) : error;
        if (pointed instanceof UsageError) throw new UsageError(`${pointed.message}; nothing of it was submitted${already}`);
        const first = index * chunkSize + 1;
        const range = chunks.length > 1 ? ` ${what}s ${formatCount(first)}-${formatCount(first + items.length - 1)}` : '';
        throw new UsageError(`Submitting${range} failed: ${describeFailure(error)}${already}`);
      }
    }

    const latest = new Map<string, Job>(submitted.map((deletion) => [deletion.job.$id, deletion.job]));
    const display = values.json ? undefined : createProgressDisplay(process.stderr);
    if (!values.json) {
      process.stderr.write(`Submitted ${plural(count, what)} in ${plural(submitted.length, 'job')}: ${jobList()}\n`);
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
          `Stopped waiting; the deletion continues on the server (cancel with "pnpm cli jobs cancel <id>"): ${jobList()}`,
          130,
        );
      }
      throw new UsageError(`Lost track of the jobs (${jobList()}): ${describeFailure(error)}`);
    } finally {
      display?.stop();
    }

    const summary = summarize(finals, duplicates);
    if (values.json) printJson(summary);
    else {
      const repeated = duplicates > 0 ? ` (${plural(duplicates, `repeated ${what}`)} in the file skipped)` : '';
      console.log(`Bulk deletion ${summary.status}: ${plural(summary.total, what)} in ${plural(finals.length, 'job')}${repeated}`);
      console.log(`  ${describeCounts(summary.counts)}`);
      if (summary.counts.failed + summary.counts.forbidden > 0) {
        console.log(`  See the items with "pnpm cli jobs items <job id> --status failed" (or forbidden): ${jobList()}`);
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

async function scrub(client: DncClient, fileName: string, json: boolean): Promise<void> {
  const urls = parseUrlFile(await readTextFile(fileName), fileName).urls;
  const results: (UrlCheck & { line: number })[] = [];
  for (const batch of chunk(urls, MAX_CHECK_URLS)) {
    let answer;
    try {
      answer = await client.checkMany(batch.map((line) => line.url));
    } catch (error) {
      if (isDncApiError(error, 'not_found')) {
        throw new UsageError(
          `This DNC API has no batch check (POST /v1/dnc/check answered 404): check one URL at a time, or upgrade the service`,
        );
      }
      throw error;
    }
    answer.results.forEach((result, index) => results.push({ ...result, line: batch[index]!.line }));
  }
  const onList = results.filter((result) => result.onList).length;
  const errors = results.filter((result) => result.error !== undefined).length;
  const summary = { total: results.length, onList, notOnList: results.length - onList - errors, errors };
  if (json) return printJson({ ...summary, results });
  for (const result of results) {
    if (result.onList && result.entry) console.log(`on the list   line ${result.line}: ${result.url} (${result.entry.$id})`);
    else if (result.error !== undefined) console.log(`not a profile line ${result.line}: ${shown(result.url)} ${result.error}`);
  }
  console.log(
    `Checked ${plural(summary.total, 'URL')}: ${formatCount(onList)} on the list, ${formatCount(summary.notOnList)} not, ${formatCount(errors)} not profile URLs.`,
  );
}

async function check(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand(args, { ...connectionOptions, file: { type: 'string' } }, 'check');
  if (values.help) return console.log(USER_HELP.check);
  if (values.file !== undefined) {
    if (positionals.length > 0) throw new UsageError('Give one URL or --file, not both (see "pnpm cli check --help")');
    return scrub(connect(values), values.file, values.json);
  }
  const url = onlyPositional(positionals, 'check', 'A URL');
  const result = await connect(values).check(url);
  if (values.json) printJson(result);
  else if (result.onList) console.log(`On the list: ${result.entry.url} (${result.entry.$id}, added ${result.entry.$createdAt})`);
  else console.log(`Not on the list: ${url}`);
}

async function add(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand(args, { ...connectionOptions, reason: { type: 'string' } }, 'add');
  if (values.help) return console.log(USER_HELP.add);
  const url = onlyPositional(positionals, 'add', 'A URL');
  let added: boolean;
  let entry: Entry;
  try {
    entry = await connect(values).add(url, { reason: values.reason });
    added = true;
  } catch (error) {
    const existing = isDncApiError(error, 'duplicate_entry') ? (error.data as { entry?: Entry } | null)?.entry : undefined;
    if (!existing) throw error;
    entry = existing;
    added = false;
  }
  if (values.json) printJson({ added, entry });
  else console.log(`${added ? 'Added' : 'Already on the list'}: ${entry.url} (${entry.$id})`);
}

async function deleteOne(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand(args, { ...connectionOptions, reason: { type: 'string' } }, 'delete');
  if (values.help) return console.log(USER_HELP.delete);
  const id = onlyPositional(positionals, 'delete', 'An entry id');
  await connect(values).delete(id, { reason: values.reason });
  if (values.json) printJson({ deleted: true, id });
  else console.log(`Deleted ${id}.`);
}

export async function runUserCommand(command: UserCommand, args: string[]): Promise<void> {
  switch (command) {
    case 'bulk-delete':
      return bulkDelete(args);
    case 'check':
      return check(args);
    case 'add':
      return add(args);
    case 'delete':
      return deleteOne(args);
    case 'list':
    case 'audit':
    case 'jobs':
      return readCommands[command](args);
  }
}
