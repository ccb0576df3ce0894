import './style.css';
import { setupOverlay } from './setup';

// Registered at run time for the sites the user turned on (entrypoints/background/sites.ts), never
// in the manifest: a site that is off runs nothing of ours.
export default defineContentScript({
  registration: 'runtime',
  runAt: 'document_idle',
  cssInjectionMode: 'ui',
  main(ctx) {
    void setupOverlay(ctx);
  },
});
