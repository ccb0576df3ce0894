// Setting up (test, save, words for each wrong address, icons, times, the first-use hint) in Firefox ESR (puppeteer-core over WebDriver BiDi), the Firefox MV2 build.
import { FirefoxUser } from './harness';
import { setupScenarios } from './setup-scenarios';

setupScenarios('firefox', (dir) => FirefoxUser.launch(dir));
