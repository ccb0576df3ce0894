// Debian's Chromium as every browser test and benchmark starts it: where it is, and the flags that
// keep it quiet on a machine without internet (no background fetches, updates, sync or QUIC).
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
