// Signing in with the organisation's account (single sign-on through a real OpenID Connect provider) in Firefox ESR (puppeteer-core, WebDriver BiDi), the Firefox MV2 build.
import { FirefoxUser } from './harness';
import { ssoScenarios } from './sso-scenarios';

ssoScenarios('firefox', (dir) => FirefoxUser.launch(dir));
