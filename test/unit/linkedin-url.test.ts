// normalizeLinkedInUrl: every spelling the contract accepts maps to one stored form, and anything
// that is not a LinkedIn member profile URL is rejected with a reason.
import { normalizeLinkedInUrl } from '@dnc/shared';
import { describe, expect, it } from 'vitest';

const JANE = 'https://linkedin.com/in/jane-doe';

describe('normalizeLinkedInUrl — accepted spellings', () => {
  it.each([
    ['the canonical https form', 'https://linkedin.com/in/jane-doe'],
    ['http', 'http://linkedin.com/in/jane-doe'],
    ['www.', 'https://www.linkedin.com/in/jane-doe'],
    ['http and www.', 'http://www.linkedin.com/in/jane-doe'],
    ['the country subdomain uk.', 'https://uk.linkedin.com/in/jane-doe'],
    ['the country subdomain de. without scheme', 'de.linkedin.com/in/jane-doe'],
    ['no scheme', 'linkedin.com/in/jane-doe'],
    ['no scheme with www.', 'www.linkedin.com/in/jane-doe'],
    ['the short form in/slug', 'in/jane-doe'],
    ['the short form with a leading slash', '/in/jane-doe'],
    ['a trailing slash', 'https://www.linkedin.com/in/jane-doe/'],
    ['several trailing slashes', 'linkedin.com/in/jane-doe///'],
    ['a trailing slash on the short form', 'in/jane-doe/'],
    ['a query string', 'https://www.linkedin.com/in/jane-doe?trk=public_profile&originalSubdomain=uk'],
    ['a fragment', 'https://linkedin.com/in/jane-doe#experience'],
    ['a slash, query string and fragment', 'https://uk.linkedin.com/in/jane-doe/?trk=x#about'],
    ['an upper-case slug', 'https://linkedin.com/in/Jane-DOE'],
    ['an upper-case scheme, host and path prefix', 'HTTPS://WWW.LINKEDIN.COM/IN/JANE-DOE'],
    ['a percent-encoded ASCII character in the slug', 'https://linkedin.com/in/jane%2Ddoe'],
    ['surrounding whitespace', '  https://linkedin.com/in/jane-doe \n'],
  ])('when given %s, then it returns the canonical https://linkedin.com/in/<slug>', (_label, input) => {
    expect(normalizeLinkedInUrl(input)).toEqual({ ok: true, url: JANE });
  });

  it('when the slug holds digits, "_" and ".", then they are kept as they are', () => {
    expect(normalizeLinkedInUrl('linkedin.com/in/john_smith.42')).toEqual({ ok: true, url: 'https://linkedin.com/in/john_smith.42' });
  });

  it('when the slug is percent-encoded non-ASCII, then it is decoded, NFC and lower-cased', () => {
    expect(normalizeLinkedInUrl('https://www.linkedin.com/in/Jos%C3%A9-Garc%C3%ADa/')).toEqual({
      ok: true,
      url: 'https://linkedin.com/in/jos\u00e9-garc\u00eda',
    });
    // Upper-case É (%C3%89) is lower-cased after decoding.
    expect(normalizeLinkedInUrl('in/%C3%89MILE')).toEqual({ ok: true, url: 'https://linkedin.com/in/\u00e9mile' });
    // Non-Latin scripts are slugs too.
    expect(normalizeLinkedInUrl('https://linkedin.com/in/%E7%8E%8B%E5%B0%8F%E6%98%8E')).toEqual({
      ok: true,
      url: 'https://linkedin.com/in/\u738b\u5c0f\u660e',
    });
  });

  it('when the slug is given as raw non-ASCII text, then it gives the same stored form as the percent-encoded one', () => {
    const encoded = normalizeLinkedInUrl('https://linkedin.com/in/Jos%C3%A9');
    expect(normalizeLinkedInUrl('https://linkedin.com/in/JOS\u00c9')).toEqual(encoded);
    expect(encoded).toEqual({ ok: true, url: 'https://linkedin.com/in/jos\u00e9' });
  });

  it('when the slug is in NFD (decomposed) form, raw or percent-encoded, then it is stored in NFC', () => {
    const nfc = { ok: true, url: 'https://linkedin.com/in/jos\u00e9' };
    // "e" + U+0301 COMBINING ACUTE ACCENT
    expect(normalizeLinkedInUrl('linkedin.com/in/jose\u0301')).toEqual(nfc);
    expect(normalizeLinkedInUrl('linkedin.com/in/jose%CC%81')).toEqual(nfc);
    expect(normalizeLinkedInUrl('in/JOSE\u0301')).toEqual(nfc);
    const result = normalizeLinkedInUrl('in/jose\u0301');
    expect(result.ok && result.url === result.url.normalize('NFC')).toBe(true);
  });

  it('when the same profile is spelled many ways, then every spelling yields one identical stored URL', () => {
    const spellings = [
      'https://www.linkedin.com/in/Mary-Major/',
      'http://uk.linkedin.com/in/mary-major?trk=abc',
      'linkedin.com/in/MARY-MAJOR#top',
      'in/mary-major',
      '/in/Mary-Major//',
    ];
    const urls = new Set(spellings.map((spelling) => JSON.stringify(normalizeLinkedInUrl(spelling))));
    expect([...urls]).toEqual([JSON.stringify({ ok: true, url: 'https://linkedin.com/in/mary-major' })]);
  });
});

describe('normalizeLinkedInUrl — rejections', () => {
  it.each([
    ['another host', 'https://example.com/in/jane-doe'],
    ['a look-alike host', 'https://notlinkedin.com/in/jane-doe'],
    ['another TLD', 'https://linkedin.co/in/jane-doe'],
    ['linkedin.com as a subdomain of another host', 'https://linkedin.com.evil.com/in/jane-doe'],
    ['linkedin.com as a subdomain of another host, no scheme', 'linkedin.com.evil.com/in/jane-doe'],
    ['linkedin.com in the path of another host', 'evil.com/linkedin.com'],
    ['linkedin.com/in/slug in the path of another host', 'https://evil.com/linkedin.com/in/jane-doe'],
    ['linkedin.com in the query of another host', 'https://evil.com/?u=linkedin.com/in/jane-doe'],
    ['a deeper subdomain', 'https://evil.uk.linkedin.com/in/jane-doe'],
    ['a company page', 'https://linkedin.com/company/acme'],
    ['a company page without scheme', 'linkedin.com/company/x'],
    ['a school page', 'https://www.linkedin.com/school/some-university/'],
    ['a post', 'https://www.linkedin.com/posts/jane-doe_activity-123'],
    ['the site root', 'https://linkedin.com/'],
    ['/in/ without a slug', 'https://linkedin.com/in/'],
    ['/in without a slug', 'https://linkedin.com/in'],
    ['the short form without a slug', 'in/'],
    ['extra path segments', 'https://linkedin.com/in/jane-doe/details/experience'],
    ['one extra path segment', 'linkedin.com/in/jane-doe/x'],
    ['a profile under another prefix', 'https://linkedin.com/pub/jane-doe'],
    ['credentials', 'https://user:secret@linkedin.com/in/jane-doe'],
    ['a user name only', 'https://jane@linkedin.com/in/jane-doe'],
    ['a host that hides behind credentials', 'https://linkedin.com@evil.com/in/jane-doe'],
    ['a port', 'https://linkedin.com:8080/in/jane-doe'],
    ['a port without scheme', 'linkedin.com:444/in/jane-doe'],
    ['the ftp: scheme', 'ftp://linkedin.com/in/jane-doe'],
    ['the javascript: scheme', 'javascript:alert(1)//linkedin.com/in/jane-doe'],
    ['the mailto: scheme', 'mailto:jane@linkedin.com'],
    ['an empty string', ''],
    ['only whitespace', '   '],
    ['invalid percent-encoding (truncated sequence)', 'https://linkedin.com/in/jane%E0%A4%A'],
    ['invalid percent-encoding (not hex)', 'in/jane%ZZdoe'],
    ['invalid percent-encoding (lone %)', 'linkedin.com/in/100%'],
    ['a slug with a space', 'linkedin.com/in/jane doe'],
    ['a slug with an encoded space', 'https://linkedin.com/in/jane%20doe'],
    ['a slug with an encoded slash', 'https://linkedin.com/in/jane%2Fdoe'],
    ['a slug with an encoded control character', 'https://linkedin.com/in/jane%00doe'],
    ['a slug with "@"', 'https://linkedin.com/in/jane%40doe'],
    ['a slug longer than 100 characters', `in/${'a'.repeat(101)}`],
    ['an input longer than 2048 characters', `https://linkedin.com/in/jane-doe?q=${'x'.repeat(2048)}`],
    ['a bare slug', 'jane-doe'],
  ])('when given %s, then it is rejected with a reason', (_label, input) => {
    const result = normalizeLinkedInUrl(input);
    expect(result).toEqual({ ok: false, reason: expect.any(String) });
    expect(result.ok === false && result.reason.length > 0).toBe(true);
  });

  it('when the slug is exactly 100 characters, then it is still accepted', () => {
    expect(normalizeLinkedInUrl(`in/${'a'.repeat(100)}`)).toEqual({ ok: true, url: `https://linkedin.com/in/${'a'.repeat(100)}` });
  });
});
