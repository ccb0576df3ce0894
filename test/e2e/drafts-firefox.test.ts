// Drafts, undo of deletes, deleting under someone's draft and admin deletes in Firefox ESR (puppeteer-core, WebDriver BiDi), the Firefox MV2 build.
import { FirefoxUser } from './harness';
import { draftsScenarios } from './drafts-scenarios';

draftsScenarios('firefox', (dir) => FirefoxUser.launch(dir));
