// Builds the extension for both browsers once per run of the end-to-end project, before any of its
// files start: each file then loads the same build (the harness's buildExtension returns at once).
// A build takes 20–40 s on this machine; once per file it was several minutes of every run.
import { buildExtension } from './harness';

export default async function setup(): Promise<void> {
  await buildExtension('chromium');
  await buildExtension('firefox');
  process.env.COLLAB_E2E_BUILT = '1';
}
