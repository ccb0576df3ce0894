import { setupBackground, type Background } from './setup';

export default defineBackground(() => {
  // Kept on the worker's global, where only the extension's own contexts (its devtools, the end-to-end
  // harness) reach it: headless Chromium has no way to press an extension's shortcut, so the harness
  // runs what the shortcut runs from here.
  (globalThis as { collabChat?: Background }).collabChat = setupBackground();
});
