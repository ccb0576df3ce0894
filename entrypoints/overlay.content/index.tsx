import './style.css';
import { setupOverlay } from './setup';

export default defineContentScript({
  matches: ['<all_urls>'],
  runAt: 'document_idle',
  cssInjectionMode: 'ui',
  main(ctx) {
    void setupOverlay(ctx);
  },
});
