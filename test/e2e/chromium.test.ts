// The collaboration loop (scenarios.ts) in Debian's Chromium (playwright-core), the Chrome MV3 build loaded unpacked.
import { ChromiumUser } from './harness';
import { collaborationScenarios } from './scenarios';

collaborationScenarios('chromium', (dir) => ChromiumUser.launch(dir));
