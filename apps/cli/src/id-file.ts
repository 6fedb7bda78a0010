// Reads the entry ids of `pnpm cli bulk-delete --file`: a text file with one id per line, or a
// CSV (comma, semicolon or tab separated, RFC 4180 quoting) whose `id` column — else its first
// column — holds the ids. Blank lines and a header row are skipped; repeated ids count once.
// Only the ids module: the whole domain package would load Postgres and Redis code at every start.
import { entryIdPattern } from '@dnc/shared/ids';
import { CsvError, parse } from 'csv-parse/sync';
import { UsageError } from './usage-error.js';
/** Header names taken as "the id column". */
const ID_COLUMN_NAMES = new Set(['id', '$id', 'entry_id', 'entryid', 'entry id', 'dnc_id']);

export interface IdFile {
  /** Distinct ids, in file order. */
  ids: string[];
  /** Ids that appeared again after their first line (submitted once). */
  duplicates: number;
  /** Whether a header row was skipped. */
  header: boolean;
}

interface CsvRecord {
  /** 1-based line the record starts on. */
  line: number;
  cells: string[];
}

function detectDelimiter(text: string): string {
  const firstLine = text.split('\n').find((line) => line.trim() !== '') ?? '';
  for (const candidate of [',', ';', '\t']) if (firstLine.includes(candidate)) return candidate;
  return ',';
}

/** Why csv-parse refused the text, said for people. */
const CSV_ERRORS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted cell is never closed',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'a quoted cell goes on after its closing quote',
  CSV_INVALID_CLOSING_QUOTE: 'a quoted cell goes on after its closing quote',
};

/**
 * The file's records, each with the line it starts on (csv-parse: quoted cells may hold delimiters,
 * doubled quotes and line breaks; a quote inside an unquoted cell is kept as it is). `name`
 * prefixes error messages.
 */
export function parseCsv(text: string, name: string): CsvRecord[] {
  // One line ending, so that a line is a line whatever mix of CRLF, LF and CR the file has.
  const normalized = text.replace(/\r\n?/g, '\n');
  // Records follow one another: each starts on the line after the one the last record ended on.
  const starts: number[] = [];
  let lastLine = 0;
  try {
    const records = parse(normalized, {
      bom: true,
      delimiter: detectDelimiter(normalized),
      record_delimiter: '\n',
      relax_column_count: true,
      relax_quotes: true,
      trim: true,
      on_record: (cells, { lines }) => {
        starts.push(lastLine + 1);
        lastLine = lines;
        return cells;
      },
    });
    return records.map((cells, index) => ({ line: starts[index]!, cells }));
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    throw new UsageError(`${name} line ${lastLine + 1}: ${CSV_ERRORS[error.code] ?? error.message}`);
  }
}

function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

/** Parses the file's text; `name` prefixes error messages. Throws a UsageError naming the first bad line. */
export function parseIdFile(text: string, name: string): IdFile {
  const records = parseCsv(text, name).filter((record) => record.cells.some((cell) => cell.trim() !== ''));
  const first = records[0];
  if (!first) throw new UsageError(`${name} holds no ids`);

  const firstCells = first.cells.map((cell) => cell.trim());
  const named = firstCells.findIndex((cell) => ID_COLUMN_NAMES.has(cell.toLowerCase()));
  const column = named === -1 ? 0 : named;
  // A header either names the id column or, at least, does not start like an id.
  const header = named !== -1 || !/^dnc_/i.test(firstCells[0] ?? '');
  const rows = header ? records.slice(1) : records;

  const seen = new Set<string>();
  let duplicates = 0;
  for (const row of rows) {
    const id = row.cells[column]?.trim() ?? '';
    if (id === '') throw new UsageError(`${name} line ${row.line}: no id in column ${column + 1}`);
    if (!entryIdPattern.test(id))
      throw new UsageError(`${name} line ${row.line}: ${shown(id)} is not a DNC entry id (dnc_<letters and digits>)`);
    if (seen.has(id)) duplicates++;
    else seen.add(id);
  }
  if (seen.size === 0) throw new UsageError(`${name} holds no ids (only a header)`);
  return { ids: [...seen], duplicates, header };
}

/** Splits ids into submissions of at most `size`. */
export function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
