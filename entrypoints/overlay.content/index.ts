import { setupOverlay } from './setup';

export default defineContentScript({
  matches: ['<all_urls>'],
  runAt: 'document_idle',
  // WXT's context announces every content script to the page with window.postMessage (naming the
  // extension's id) and lets a document event, which the page can forge, invalidate it. The overlay
  // uses neither: it keeps its own lifecycle (see setup.ts).
  noScriptStartedPostMessage: true,
  main() {
    setupOverlay();
  },
});
