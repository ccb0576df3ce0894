import { setupBackground } from './setup';

export default defineBackground(() => {
  setupBackground();
});
