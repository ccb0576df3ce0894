// Team workflow (resolve, @mentions, unread across browsers, watching) in Debian's Chromium (playwright-core), the Chrome MV3 build.
import { ChromiumUser } from './harness';
import { workflowScenarios } from './workflow-scenarios';

workflowScenarios('chromium', (dir) => ChromiumUser.launch(dir));
