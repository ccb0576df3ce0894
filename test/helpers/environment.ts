// What a test run demands of the machine: one definition of "this is CI" for every test project
// (browser, server, e2e) and for .ci/run, and one way to handle a missing browser or service:
// under CI it is a failure; elsewhere the tests that need it are skipped and a line says why.

/** Whether this run is CI: CI is set to anything but empty, `false` or `0` (.ci/run sets `true`). */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = (env.CI ?? '').trim().toLowerCase();
  return value !== '' && value !== 'false' && value !== '0';
}

/**
 * Reports that `what` is missing and returns false so that the caller skips. Under CI it throws
 * instead (while the test file loads, which fails the file): CI must run everything.
 */
export function unavailable(what: string, fix: string, env: NodeJS.ProcessEnv = process.env): false {
  if (isCi(env)) throw new Error(`${what}, and CI (CI=${env.CI}) requires it: ${fix}.`);
  console.warn(`SKIPPED: ${what} (${fix}).`);
  return false;
}
