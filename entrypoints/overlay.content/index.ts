import { setupOverlay } from './setup';

export default defineContentScript({
  matches: ['<all_urls>'],
  runAt: 'document_idle',
  main(ctx) {
    setupOverlay(ctx);
  },
});
