// Joining with an invite link (dashboard, the link's page, the options page) in Debian's Chromium (playwright-core), the Chrome MV3 build.
import { ChromiumUser } from './harness';
import { inviteScenarios } from './invite-scenarios';

inviteScenarios('chromium', (dir) => ChromiumUser.launch(dir));
