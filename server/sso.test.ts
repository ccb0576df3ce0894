import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { emailAllowed, extensionRedirect } from './sso';

const CHROME = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';
const FIREFOX = `https://${createHash('sha1').update('collab-chat@example.org').digest('hex')}.extensions.allizom.org/`;

describe('extensionRedirect', () => {
  it.each([CHROME, `${CHROME}signed-in`, FIREFOX])('takes the extension redirect URL %s', (url) => {
    expect(extensionRedirect(url)?.href).toBe(url);
  });

  it.each([
    'https://evil.example/',
    'https://ABCDEFGHIJKLMNOPABCDEFGHIJKLMNOP.chromiumapp.org.evil.example/',
    'https://abcdefghijklmnopabcdefghijklmnoz.chromiumapp.org/',
    'https://x.abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/',
    'http://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/',
    'https://user@abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/',
    `${CHROME}#fragment`,
    'https://2b1b7a44-8cc5-4b4f-9a6e-54f4a1a7c0de.extensions.allizom.org/',
    'javascript:alert(1)',
    '',
    42,
  ])('refuses %s', (url) => {
    expect(extensionRedirect(url)).toBeNull();
  });

  it('keeps to the listed extensions when there is a list', () => {
    expect(extensionRedirect(CHROME, ['abcdefghijklmnopabcdefghijklmnop'])).not.toBeNull();
    expect(extensionRedirect(CHROME, ['bcdefghijklmnopabcdefghijklmnopa'])).toBeNull();
  });
});

describe('emailAllowed', () => {
  const rules = { emailDomains: ['example.com'], allowedEmails: ['guest@elsewhere.test'] };
  it.each([
    ['ana@example.com', true],
    ['Ana@EXAMPLE.com', true],
    ['guest@elsewhere.test', true],
    ['other@elsewhere.test', false],
    ['ana@mail.example.com', false],
    ['ana@example.com.evil.test', false],
    ['example.com', false],
    ['@example.com', false],
  ])('%s: %s', (email, allowed) => {
    expect(emailAllowed(email, rules)).toBe(allowed);
  });
});
