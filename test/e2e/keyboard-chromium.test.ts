// Keyboard, focus and axe-core checks in Debian's Chromium (playwright-core), the Chrome MV3 build.
import { ChromiumUser } from './harness';
import { keyboardScenarios } from './keyboard-scenarios';

keyboardScenarios('chromium', (dir) => ChromiumUser.launch(dir, { caretBrowsing: true }));
