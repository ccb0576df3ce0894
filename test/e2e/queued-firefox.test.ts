// Writes not taken by the server yet, shown in place (outage, reload, new tab, refusal, revoked token) in Firefox ESR (puppeteer-core, WebDriver BiDi), the Firefox MV2 build.
import { FirefoxUser } from './harness';
import { queuedScenarios } from './queued-scenarios';

queuedScenarios('firefox', (dir) => FirefoxUser.launch(dir));
