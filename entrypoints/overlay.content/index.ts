import { setupOverlay } from './setup';

// Registered at run time for the sites the user turned on (entrypoints/background/sites.ts), never in
// the manifest: a site that is off runs nothing of ours.
export default defineContentScript({
  registration: 'runtime',
  runAt: 'document_idle',
  // WXT's context announces every content script to the page with window.postMessage (naming the
  // extension's id) and lets a document event, which the page can forge, invalidate it. The overlay
  // uses neither: it keeps its own lifecycle (see setup.ts).
  noScriptStartedPostMessage: true,
  main() {
    setupOverlay();
  },
});
