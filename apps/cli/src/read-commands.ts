// Commands that read the team's lists and jobs: `list`, `audit`, `jobs show|wait|items|cancel`.
// Lists page with the API's cursors (`--all` follows `nextCursor` to the end; against a service
// without cursors it pages by offset instead) and print as they go, so a long list is never held
// whole: `--json` prints one JSON line all the same.
import {
  forEachPage,
  type AuditAction,
  type AuditEvent,
  type BulkItemStatus,
  type Entry,
  type Job,
  type JobItem,
  type Page,
  type PageStart,
} from '@dnc/client';
import { auditActions, itemStatuses, MAX_PAGE_SIZE } from '@dnc/shared/vocabulary';
import {
  CONNECTION_HELP,
  connect,
  connectionOptions,
  noPositional,
  onlyPositional,
  parseCommand,
  plural,
  printJson,
  wholeNumber,
} from './command-kit.js';
import { createProgressDisplay, describeCounts, formatCount } from './progress.js';
import { UsageError } from './usage-error.js';

const PAGE_HELP = `  --limit <n>        items per page, 1..${MAX_PAGE_SIZE} (default 50; with --all, ${MAX_PAGE_SIZE})
  --cursor <cursor>  start at this page: the nextCursor a previous page printed
  --offset <n>       start after this many items (the page then also counts the total)
  --all              every page from the start (or from --cursor), following nextCursor`;

export const READ_HELP = {
  list: `Usage: pnpm cli list [--limit <n>] [--cursor <cursor> | --offset <n>] [--all] [--json] [--base-url <url>] [--api-key <key>]

Lists the team's Do Not Contact entries, newest first: one page, or with --all every one.
${PAGE_HELP}
${CONNECTION_HELP}
With --json: one page is the API's page as it is, {"entries","limit","nextCursor",…};
with --all, {"entries":[…],"count"}.`,
  audit: `Usage: pnpm cli audit [--action <action>] [--entry-id <dnc_…>] [--job-id <job_…>] [--limit <n>] [--cursor <cursor> | --offset <n>] [--all] [--json] [--base-url <url>] [--api-key <key>]

Shows the team's audit trail, newest first: one page, or with --all every event.
  --action <action>  only events of this action: ${auditActions.join(', ')}
  --entry-id <id>    only events of this entry
  --job-id <id>      only events of this bulk-deletion job
${PAGE_HELP}
${CONNECTION_HELP}
With --json: one page is the API's page as it is, {"events","limit","nextCursor",…};
with --all, {"events":[…],"count"}.`,
  jobs: `Usage: pnpm cli jobs <show|wait|items|cancel> <jobId> [options] [--json] [--base-url <url>] [--api-key <key>]

  jobs show <jobId>     the job: status, counts, next run and estimated completion
  jobs wait <jobId>     polls the job (at the pace the API suggests, with a progress bar on
                        stderr) until it ends; exits 1 unless it completed
  jobs items <jobId> [--status <status>] [--limit <n>] [--cursor <cursor> | --offset <n>] [--all]
                        the job's items in submission order; --status is one of
                        ${itemStatuses.join(', ')}
  jobs cancel <jobId>   cancels the job's pending items (items already deleted stay deleted)
${PAGE_HELP.replace(/^/gm, '  ')}
${CONNECTION_HELP}
With --json: show, wait and cancel print the job; items prints the API's page as it is,
{"items","limit","nextCursor",…}, or with --all {"items":[…],"count"}.`,
};

const pageOptions = {
  ...connectionOptions,
  limit: { type: 'string' },
  cursor: { type: 'string' },
  offset: { type: 'string' },
  all: { type: 'boolean', default: false },
} as const;

interface PageFlags {
  json: boolean;
  limit?: string | undefined;
  cursor?: string | undefined;
  offset?: string | undefined;
  all?: boolean | undefined;
}

/** The page options (and --json), checked: `--cursor` and `--offset` both say where to start, so not both. */
function pageRequest(values: PageFlags, command: string) {
  if (values.cursor !== undefined && values.offset !== undefined) {
    throw new UsageError(`--cursor and --offset cannot be combined (see "pnpm cli ${command} --help")`);
  }
  if (values.cursor === '') throw new UsageError('--cursor must not be empty');
  const limit = wholeNumber('limit', values.limit, 1, MAX_PAGE_SIZE) ?? (values.all ? MAX_PAGE_SIZE : undefined);
  const offset = wholeNumber('offset', values.offset, 0, Number.MAX_SAFE_INTEGER);
  return { limit, cursor: values.cursor, offset, all: values.all === true, json: values.json };
}

/**
 * Prints a list: one page as the API gave it, or with `all` every page. Text: one line per item,
 * then where the next page starts. JSON: the page; with `all`, `{"<key>":[…],"count"}` streamed.
 */
async function printList<Item>(options: {
  /** One page of the list, from where `start` says (the client method of the list). */
  fetchPage: (start: PageStart & { limit: number | undefined }) => Promise<Page>;
  /** The page's field that holds the items (`entries`, `events`, `items`), and what one and several are called. */
  key: string;
  nouns: [one: string, several: string];
  page: ReturnType<typeof pageRequest>;
  describe: (item: Item) => string;
}): Promise<void> {
  const { page } = options;
  try {
    await printPages(options);
  } catch (error) {
    // A streamed JSON line cut short by a failure would be unparsable: end the line before the error.
    if (page.json && page.all) process.stdout.write('\n');
    throw error;
  }
}

async function printPages<Item>(options: Parameters<typeof printList<Item>>[0]): Promise<void> {
  const { key, page, describe } = options;
  const json = page.json;
  const [noun, nouns] = options.nouns;
  const fetchPage = (start: PageStart) => options.fetchPage({ limit: page.limit, ...start });
  const itemsOf = (data: Page) => ((data as Page & Record<string, unknown>)[key] as Item[] | undefined) ?? [];

  if (!page.all) {
    const data = await fetchPage({ cursor: page.cursor, offset: page.offset });
    if (json) return printJson(data);
    const items = itemsOf(data);
    for (const item of items) console.log(describe(item));
    const total = data.total !== undefined ? ` of ${formatCount(data.total)}` : '';
    const from = data.offset !== undefined && data.offset > 0 ? ` from ${formatCount(data.offset + 1)}` : '';
    console.log(`${plural(items.length, noun, nouns)}${from}${total}.`);
    if (data.nextCursor) console.log(`Next page: --cursor ${data.nextCursor}`);
    return;
  }

  const start = page.cursor !== undefined ? { cursor: page.cursor } : page.offset !== undefined ? { offset: page.offset } : {};
  let first = true;
  if (json) process.stdout.write(`{${JSON.stringify(key)}:[`);
  const count = await forEachPage(
    (next) => fetchPage(Object.keys(next).length === 0 ? start : next),
    itemsOf,
    (items) => {
      if (items.length === 0) return;
      if (json) {
        process.stdout.write(`${first ? '' : ','}${items.map((item) => JSON.stringify(item)).join(',')}`);
      } else {
        process.stdout.write(`${items.map((item) => describe(item)).join('\n')}\n`);
      }
      first = false;
    },
  );
  if (json) process.stdout.write(`],"count":${count}}\n`);
  else console.log(`${plural(count, noun, nouns)}.`);
}

async function list(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand(args, pageOptions, 'list');
  if (values.help) return console.log(READ_HELP.list);
  noPositional(positionals, 'list');
  const page = pageRequest(values, 'list');
  const client = connect(values);
  await printList({
    fetchPage: (start) => client.list(start),
    key: 'entries',
    nouns: ['entry', 'entries'],
    page,
    describe: (entry: Entry) => `${entry.$id}  ${entry.url}  added ${entry.$createdAt}`,
  });
}

async function audit(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand(
    args,
    { ...pageOptions, action: { type: 'string' }, 'entry-id': { type: 'string' }, 'job-id': { type: 'string' } },
    'audit',
  );
  if (values.help) return console.log(READ_HELP.audit);
  noPositional(positionals, 'audit');
  if (values.action !== undefined && !(auditActions as readonly string[]).includes(values.action)) {
    throw new UsageError(`--action must be one of ${auditActions.join(', ')} (got "${values.action}")`);
  }
  const page = pageRequest(values, 'audit');
  const client = connect(values);
  const filters = { action: values.action as AuditAction | undefined, entryId: values['entry-id'], jobId: values['job-id'] };
  await printList({
    fetchPage: (start) => client.audit({ ...filters, ...start }),
    key: 'events',
    nouns: ['event', 'events'],
    page,
    describe: (event: AuditEvent) =>
      [
        event.occurredAt,
        event.action,
        event.entryId ?? '-',
        event.url ?? '-',
        `${event.source}${event.jobId ? ` ${event.jobId}` : ''}`,
        event.reason ? JSON.stringify(event.reason) : '',
      ]
        .join('  ')
        .trimEnd(),
  });
}

function describeJob(job: Job): string {
  const lines = [
    `${job.$id}  ${job.status}  ${formatCount(job.processed)}/${formatCount(job.total)} processed`,
    `  ${describeCounts(job.counts)}`,
    `  created ${job.$createdAt}${job.startedAt ? `, started ${job.startedAt}` : ''}${job.finishedAt ? `, finished ${job.finishedAt}` : ''}`,
  ];
  if (job.reason) lines.push(`  reason: ${job.reason}`);
  if (job.nextRunAt) lines.push(`  next run at ${job.nextRunAt}`);
  if (job.estimatedCompletionAt) lines.push(`  estimated completion at ${job.estimatedCompletionAt}`);
  return lines.join('\n');
}

const JOB_COMMANDS = ['show', 'wait', 'items', 'cancel'] as const;
type JobCommand = (typeof JOB_COMMANDS)[number];

async function jobs(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h') return console.log(READ_HELP.jobs);
  if (!(JOB_COMMANDS as readonly string[]).includes(sub)) {
    throw new UsageError(`Unknown command "jobs ${sub}": use one of ${JOB_COMMANDS.join(', ')} (see "pnpm cli jobs --help")`);
  }
  const command = sub as JobCommand;
  const { values, positionals } = parseCommand(rest, { ...pageOptions, status: { type: 'string' } }, `jobs ${command}`);
  if (values.help) return console.log(READ_HELP.jobs);
  const jobId = onlyPositional(positionals, 'jobs', 'A job id');
  if (command !== 'items') {
    const given = (['status', 'limit', 'cursor', 'offset'] as const).find((option) => values[option] !== undefined);
    if (given || values.all) throw new UsageError(`--${given ?? 'all'} is an option of "jobs items" only`);
  }
  const client = connect(values);
  switch (command) {
    case 'show': {
      const job = await client.getJob(jobId);
      return values.json ? printJson(job) : console.log(describeJob(job));
    }
    case 'cancel': {
      const job = await client.cancelJob(jobId);
      return values.json ? printJson(job) : console.log(`Cancelled.\n${describeJob(job)}`);
    }
    case 'wait': {
      const display = values.json ? undefined : createProgressDisplay(process.stderr);
      const stop = new AbortController();
      const onSigint = () => stop.abort();
      process.once('SIGINT', onSigint);
      let job: Job;
      try {
        job = await client.waitForJob(jobId, { signal: stop.signal, onProgress: (latest) => display?.update([latest]) });
      } catch (error) {
        if (stop.signal.aborted) throw new UsageError(`Stopped waiting; the job continues on the server: ${jobId}`, 130);
        throw error;
      } finally {
        display?.stop();
        process.removeListener('SIGINT', onSigint);
      }
      if (values.json) printJson(job);
      else console.log(describeJob(job));
      if (job.status !== 'completed') throw new UsageError(`Job ${jobId} ended ${job.status}`);
      return;
    }
    case 'items': {
      if (values.status !== undefined && !(itemStatuses as readonly string[]).includes(values.status)) {
        throw new UsageError(`--status must be one of ${itemStatuses.join(', ')} (got "${values.status}")`);
      }
      const page = pageRequest(values, 'jobs items');
      const status = values.status as BulkItemStatus | undefined;
      await printList({
        fetchPage: (start) => client.listJobItems(jobId, { status, ...start }),
        key: 'items',
        nouns: ['item', 'items'],
        page,
        describe: (item: JobItem) =>
          [item.id ?? '-', item.url ?? '', item.status, item.processedAt ?? '', item.error ?? ''].filter((part) => part !== '').join('  '),
      });
      return;
    }
  }
}

export const readCommands = { list, audit, jobs };
