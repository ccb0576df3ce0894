// The list of discussions (scroll to a passage, unseen comments, filters) in Firefox ESR (puppeteer-core, WebDriver BiDi), the Firefox MV2 build.
import { FirefoxUser } from './harness';
import { listScenarios } from './list-scenarios';

listScenarios('firefox', (dir) => FirefoxUser.launch(dir));
