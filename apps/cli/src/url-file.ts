// Reads the LinkedIn URLs of `pnpm cli check --file` and `pnpm cli bulk-delete --urls-file`: a
// text file with one URL per line, or a CSV (comma, semicolon or tab separated) whose URL column
// — named url, linkedin_url, profile_url, … else the first — holds them. Blank lines and a header
// row are skipped. The URLs are sent as written: the service normalizes them (and says which are
// not profile URLs); each keeps its line so that the service's answer can point back at it.
import { parseCsv } from './id-file.js';
import { UsageError } from './usage-error.js';

/** Header names taken as "the URL column". */
const URL_COLUMN_NAMES = new Set([
  'url',
  'urls',
  'linkedin',
  'linkedin_url',
  'linkedinurl',
  'linkedin url',
  'profile',
  'profile_url',
  'profileurl',
  'profile url',
  'linkedin profile',
  'linkedin_profile',
]);

export interface UrlLine {
  url: string;
  /** 1-based line of the file. */
  line: number;
}

export interface UrlFile {
  /** Every URL in file order, repeats included. */
  urls: UrlLine[];
  /** Whether a header row was skipped. */
  header: boolean;
}

/** Every accepted spelling of a profile URL has a `/` (`in/slug` at least); a header cell does not. */
const looksLikeUrl = (cell: string) => cell.includes('/');

export function parseUrlFile(text: string, name: string): UrlFile {
  const firstLine = text.split(/\r\n?|\n/).find((line) => line.trim() !== '') ?? '';
  // One URL per line unless the first line has a delimiter: a URL may hold a comma in its query.
  const records = /[,;\t]/.test(firstLine)
    ? parseCsv(text, name)
    : text.split(/\r\n?|\n/).map((line, index) => ({ line: index + 1, cells: [line.replace(/^\uFEFF/, '').trim()] }));
  const rows = records.filter((record) => record.cells.some((cell) => cell.trim() !== ''));
  const first = rows[0];
  if (!first) throw new UsageError(`${name} holds no URLs`);

  const firstCells = first.cells.map((cell) => cell.trim());
  const named = firstCells.findIndex((cell) => URL_COLUMN_NAMES.has(cell.toLowerCase()));
  const column = named === -1 ? 0 : named;
  const header = named !== -1 || !looksLikeUrl(firstCells[0] ?? '');
  const urls: UrlLine[] = [];
  for (const row of header ? rows.slice(1) : rows) {
    const url = row.cells[column]?.trim() ?? '';
    if (url === '') throw new UsageError(`${name} line ${row.line}: no URL in column ${column + 1}`);
    urls.push({ url, line: row.line });
  }
  if (urls.length === 0) throw new UsageError(`${name} holds no URLs (only a header)`);
  return { urls, header };
}
