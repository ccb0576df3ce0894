// Setting up (test, save, words for each wrong address, icons, times, the first-use hint) in Debian's Chromium (playwright-core), the Chrome MV3 build.
import { ChromiumUser } from './harness';
import { setupScenarios } from './setup-scenarios';

setupScenarios('chromium', (dir) => ChromiumUser.launch(dir));
