// LinkedIn member-profile URLs arrive in many spellings; the list stores exactly one.
// Stored form: https://linkedin.com/in/<slug>, slug percent-decoded, NFC, lower-cased.

const HOST_PATTERN = /^(?:(?:www|[a-z]{2})\.)?linkedin\.com$/;
// Letters and digits of any script, combining marks, "-", "_" and "." — what LinkedIn allows
// in a public profile URL. Anything else (spaces, "/", "@", control characters) is rejected.
const SLUG_PATTERN = /^[\p{L}\p{N}\p{M}_.-]{1,100}$/u;
const MAX_INPUT_LENGTH = 2048;

export type NormalizeResult = { ok: true; url: string } | { ok: false; reason: string };

export function normalizeLinkedInUrl(input: string): NormalizeResult {
  const raw = input.trim();
  if (raw.length === 0) return { ok: false, reason: 'URL is empty' };
  if (raw.length > MAX_INPUT_LENGTH) return { ok: false, reason: `URL is longer than ${MAX_INPUT_LENGTH} characters` };

  let withScheme: string;
  if (/^https?:\/\//i.test(raw)) withScheme = raw;
  else if (/^[a-z][a-z0-9+.-]*:/i.test(raw)) return { ok: false, reason: 'URL must use http or https' };
  else if (/^\/?in\//i.test(raw)) withScheme = `https://linkedin.com/${raw.replace(/^\//, '')}`;
  else withScheme = `https://${raw}`;

  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    return { ok: false, reason: 'not a valid URL' };
  }
  if (parsed.username || parsed.password || parsed.port) {
    return { ok: false, reason: 'URL must not contain credentials or a port' };
  }
  if (!HOST_PATTERN.test(parsed.hostname)) return { ok: false, reason: 'not a linkedin.com URL' };

  // Query string and fragment are dropped; trailing slashes are allowed.
  const segments = parsed.pathname.split('/').filter((segment) => segment !== '');
  if (segments.length !== 2 || segments[0]!.toLowerCase() !== 'in') {
    return { ok: false, reason: 'not a LinkedIn member profile URL (expected linkedin.com/in/<slug>)' };
  }
  let slug: string;
  try {
    slug = decodeURIComponent(segments[1]!);
  } catch {
    return { ok: false, reason: 'profile slug has invalid percent-encoding' };
  }
  slug = slug.normalize('NFC').toLowerCase();
  if (!SLUG_PATTERN.test(slug)) return { ok: false, reason: 'profile slug contains characters LinkedIn does not allow' };
  return { ok: true, url: `https://linkedin.com/in/${slug}` };
}
