// The system's browsers as every browser test, benchmark and script starts them: where they are,
// the flags that keep Chromium quiet on a machine without internet (no background fetches, updates,
// sync or QUIC), and whether a browser is there (a failure under CI, a skip that says why elsewhere).
import { existsSync } from 'node:fs';
import { unavailable } from './environment';

export type BrowserName = 'chromium' | 'firefox';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const BROWSER_PATHS: Record<BrowserName, string> = { chromium: CHROMIUM_PATH, firefox: FIREFOX_PATH };
const PACKAGES: Record<BrowserName, string> = { chromium: 'chromium', firefox: 'firefox-esr' };
const VARIABLES: Record<BrowserName, string> = { chromium: 'CHROMIUM_PATH', firefox: 'FIREFOX_PATH' };

export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Whether `name` is installed. Under CI a missing browser throws (the test file fails); elsewhere
 * this prints why the tests that need it are skipped and returns false.
 */
export function browserAvailable(name: BrowserName): boolean {
  const path = BROWSER_PATHS[name];
  if (existsSync(path)) return true;
  return unavailable(
    `${name} was not found at ${path}`,
    `apt-get install ${PACKAGES[name]}, or set ${VARIABLES[name]}`,
  );
}
