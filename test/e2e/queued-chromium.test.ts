// Writes not taken by the server yet, shown in place (outage, reload, new tab, refusal, revoked token) in Debian's Chromium (playwright-core), the Chrome MV3 build.
import { ChromiumUser } from './harness';
import { queuedScenarios } from './queued-scenarios';

queuedScenarios('chromium', (dir) => ChromiumUser.launch(dir));
