// Where the overlay sits (sticky headers, beside a passage, long threads, the prompt, docking) in Debian's Chromium (playwright-core), the Chrome MV3 build.
import { ChromiumUser } from './harness';
import { layoutScenarios } from './layout-scenarios';

layoutScenarios('chromium', (dir) => ChromiumUser.launch(dir));
