// The hostile-page suite in Debian's Chromium (playwright-core), the Chrome MV3 build.
import { ChromiumUser } from './harness';
import { hostilePageScenarios } from './hostile-scenarios';

hostilePageScenarios('chromium', (dir) => ChromiumUser.launch(dir));
