// Reads the entry ids of `pnpm cli bulk-delete --file`: a text file with one id per line, or a
// CSV (comma, semicolon or tab separated, RFC 4180 quoting) whose `id` column — else its first
// column — holds the ids. Blank lines and a header row are skipped; repeated ids count once.
// Only the ids module: the whole domain package would load Postgres and Redis code at every start.
import { entryIdPattern } from '@dnc/shared/ids';
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
  const firstLine = text.split(/\r?\n/).find((line) => line.trim() !== '') ?? '';
  for (const candidate of [',', ';', '\t']) if (firstLine.includes(candidate)) return candidate;
  return ',';
}

/** A small RFC 4180 reader: quoted cells may hold delimiters, doubled quotes and line breaks. */
export function parseCsv(text: string, delimiter = detectDelimiter(text)): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else {
        if (char === '\n') line++;
        cell += char;
      }
      continue;
    }
    if (char === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (char === delimiter) {
      cells.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      cells.push(cell);
      records.push({ line: recordLine, cells });
      cells = [];
      cell = '';
      line++;
      recordLine = line;
    } else cell += char;
  }
  if (quoted) throw new UsageError(`line ${recordLine}: a quoted cell is never closed`);
  if (cell !== '' || cells.length > 0) {
    cells.push(cell);
    records.push({ line: recordLine, cells });
  }
  return records;
}

function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

/** Parses the file's text; `name` prefixes error messages. Throws a UsageError naming the first bad line. */
export function parseIdFile(text: string, name: string): IdFile {
  const records = parseCsv(text.replace(/^\uFEFF/, '')).filter((record) => record.cells.some((cell) => cell.trim() !== ''));
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
