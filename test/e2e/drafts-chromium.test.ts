// Drafts, undo of deletes, deleting under someone's draft and admin deletes in Debian's Chromium (playwright-core), the Chrome MV3 build.
import { ChromiumUser } from './harness';
import { draftsScenarios } from './drafts-scenarios';

draftsScenarios('chromium', (dir) => ChromiumUser.launch(dir));
