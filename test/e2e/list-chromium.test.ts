// The list of discussions (scroll to a passage, unseen comments, filters) in Debian's Chromium (playwright-core), the Chrome MV3 build.
import { ChromiumUser } from './harness';
import { listScenarios } from './list-scenarios';

listScenarios('chromium', (dir) => ChromiumUser.launch(dir));
