// The team page (list, search as you type, a result opening its page) in Firefox ESR (puppeteer-core over WebDriver BiDi), the MV2 build.
import { FirefoxUser } from './harness';
import { searchScenarios } from './search-scenarios';

searchScenarios('firefox', (dir) => FirefoxUser.launch(dir));
