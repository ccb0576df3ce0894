// Joining with an invite link (dashboard, the link's page, the options page) in Firefox ESR (puppeteer-core, WebDriver BiDi), the Firefox MV2 build.
import { FirefoxUser } from './harness';
import { inviteScenarios } from './invite-scenarios';

inviteScenarios('firefox', (dir) => FirefoxUser.launch(dir));
