// Signing in with the organisation's account (single sign-on through a real OpenID Connect provider) in Debian's Chromium (playwright-core), the Chrome MV3 build.
import { ChromiumUser } from './harness';
import { ssoScenarios } from './sso-scenarios';

ssoScenarios('chromium', (dir) => ChromiumUser.launch(dir));
