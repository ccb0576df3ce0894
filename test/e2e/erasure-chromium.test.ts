// Erasing a member from the dashboard, and a member's own data and erasure request from the team page, in Debian's Chromium (playwright-core), the Chrome MV3 build.
import { ChromiumUser } from './harness';
import { erasureScenarios } from './erasure-scenarios';

erasureScenarios('chromium', (dir) => ChromiumUser.launch(dir));
