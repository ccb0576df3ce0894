// The team page (list, search as you type, a result opening its page) in Debian's Chromium (playwright-core), the Chrome MV3 build.
import { ChromiumUser } from './harness';
import { searchScenarios } from './search-scenarios';

searchScenarios('chromium', (dir) => ChromiumUser.launch(dir));
